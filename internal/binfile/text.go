package binfile

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// Row is one labelled fact in the human renderings (text, Markdown, diff).
type Row struct {
	Key, Value string
}

// Rows lists f's facts in display order, one per line, for people. The
// JSON form (the Facts struct itself) is the complete one.
func (f *Facts) Rows() []Row {
	var rows []Row
	add := func(k, v string) {
		if v != "" {
			rows = append(rows, Row{k, v})
		}
	}
	add("format", f.formatLine())
	if f.Target != nil {
		add("target", f.Target.String())
	}
	if f.Format == MachOFat {
		for _, s := range f.Slices {
			if s.Target != nil {
				add("slice", s.Target.String()+" ("+s.formatLine()+")")
			} else {
				add("slice", s.formatLine())
			}
		}
		add("go", f.goLine())
		for _, v := range f.Verdicts {
			add("runs on", v.On+": "+yesNo(v.Runs))
		}
		return rows
	}
	add("go", f.goLine())
	if f.Go != nil {
		add("path", f.Go.Path)
		for _, s := range f.Go.Settings {
			add("build", s.Key+"="+s.Value)
		}
		for _, d := range f.Go.Deps {
			v := d.Path + " " + d.Version
			if d.Replace != nil {
				v += " => " + strings.TrimSpace(d.Replace.Path+" "+d.Replace.Version)
			}
			add("dep", v)
		}
	}
	add("go build id", f.GoBuildID)
	add("gnu build id", f.GNUBuildID)
	add("uuid", f.UUID)
	add("linking", f.Linking.Mode)
	add("interpreter", f.Linking.Interpreter)
	add("soname", f.Linking.SONAME)
	for _, n := range f.Linking.Needed {
		add("needed", n)
	}
	add("rpath", strings.Join(f.Linking.RPath, ":"))
	add("runpath", strings.Join(f.Linking.RunPath, ":"))
	if f.GLIBC != nil {
		add("min glibc", f.GLIBC.Min)
		for _, ns := range sortedKeys(f.GLIBC.Floors) {
			add("min "+strings.ToLower(ns), f.GLIBC.Floors[ns])
		}
	}
	if f.MachO != nil {
		add("platform", strings.TrimSpace(f.MachO.Platform+" "+f.MachO.MinOS))
		add("sdk", f.MachO.SDK)
		add("signed", yesNo(f.MachO.CodeSignature))
	}
	if f.PE != nil {
		add("subsystem", f.PE.Subsystem)
		add("min os", f.PE.MinOS)
		add("subsystem ver", f.PE.SubsystemVersion)
	}
	if f.Wasm != nil {
		add("imports", strings.Join(f.Wasm.ImportModules, ", "))
	}
	add("stripped", f.strippedLine())
	add("hardening", f.hardeningLine())
	if f.Exports != nil {
		glue := 0
		for _, s := range f.Exports {
			if s.Cgo {
				glue++
				continue
			}
			name := s.Name
			if s.Demangled != "" {
				name = s.Demangled
			}
			if s.Version != "" {
				name += "@" + s.Version
			}
			if s.ABITag {
				name += "  (libstdc++ C++11 ABI)"
			}
			add("export", s.Type+" "+name)
		}
		if glue > 0 {
			add("export", fmt.Sprintf("… and %s of cgo glue", plural(glue, "symbol")))
		}
	}
	for _, v := range f.Verdicts {
		add("runs on", v.On+": "+yesNo(v.Runs))
	}
	return rows
}

func (f *Facts) formatLine() string {
	var parts []string
	switch f.Format {
	case ELF:
		parts = append(parts, fmt.Sprintf("ELF %d-bit %s-endian %s", f.Bits, f.Endianness, f.Kind))
	case MachO:
		parts = append(parts, fmt.Sprintf("Mach-O %d-bit %s", f.Bits, f.Kind))
	case MachOFat:
		return fmt.Sprintf("Mach-O universal binary with %d slices (%s)", len(f.Slices), f.Machine)
	case PE:
		kind := "PE32+"
		if f.Bits == 32 {
			kind = "PE32"
		}
		parts = append(parts, kind+" "+f.Kind)
	case Wasm:
		return fmt.Sprintf("WebAssembly module version %d", f.Wasm.Version)
	case XCOFF:
		parts = append(parts, fmt.Sprintf("XCOFF %d-bit %s", f.Bits, f.Kind))
	case Plan9:
		parts = append(parts, fmt.Sprintf("Plan 9 a.out %d-bit %s", f.Bits, f.Kind))
	}
	detail := f.Machine
	if f.ELF != nil {
		detail += ", " + f.ELF.OSABI
		if f.ELF.Flags != 0 {
			detail += fmt.Sprintf(", flags %#x", f.ELF.Flags)
		}
		if f.ELF.ABITag != "" {
			detail += ", for " + f.ELF.ABITag
		}
		if !f.ELF.SectionHeaders {
			detail += ", no section headers"
		}
	}
	return strings.Join(parts, " ") + " (" + detail + ")"
}

func (f *Facts) goLine() string {
	if f.Go == nil {
		return "not built by the go command"
	}
	s := f.Go.GoVersion
	if f.Go.Main.Path != "" {
		s += ", module " + f.Go.Main.Path
		if f.Go.Main.Version != "" {
			s += " " + f.Go.Main.Version
		}
	}
	return s
}

func (f *Facts) strippedLine() string {
	s := f.Stripped
	var kept []string
	if s.Symbols {
		kept = append(kept, "symbols")
	}
	if s.DWARF {
		kept = append(kept, "DWARF")
	}
	if s.Pclntab {
		kept = append(kept, "pclntab")
	}
	head := "no"
	if s.IsStripped() {
		head = "yes"
	}
	if len(kept) == 0 {
		return head
	}
	return head + " (kept: " + strings.Join(kept, ", ") + ")"
}

func (f *Facts) hardeningLine() string {
	h := f.Hardening
	switch f.Format {
	case ELF:
		return fmt.Sprintf("PIE %s, RELRO %s, NX stack %s", yesNo(h.PIE), h.RELRO, yesNo(h.NXStack))
	case MachO:
		return fmt.Sprintf("PIE %s, NX stack %s", yesNo(h.PIE), yesNo(h.NXStack))
	case PE:
		return fmt.Sprintf("ASLR %s, high-entropy VA %s, DEP %s, CFG %s", yesNo(h.DynamicBase), yesNo(h.HighEntropyVA), yesNo(h.NXStack), yesNo(h.CFG))
	}
	return ""
}

// WriteText prints f as aligned "key  value" lines under its path.
func (f *Facts) WriteText(w io.Writer, color bool) error {
	title := DisplayPath(f.Path)
	if color {
		title = "\x1b[1m" + title + "\x1b[0m"
	}
	var b strings.Builder
	b.WriteString(title + "\n")
	for _, r := range f.Rows() {
		fmt.Fprintf(&b, "  %-14s %s\n", r.Key, r.Value)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteMarkdown prints f as a heading and a two-column table.
func (f *Facts) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "### `%s`\n\n| fact | value |\n| --- | --- |\n", mdEscape(DisplayPath(f.Path)))
	for _, r := range f.Rows() {
		fmt.Fprintf(&b, "| %s | %s |\n", r.Key, mdEscape(r.Value))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// List is the facts of several files, in command-line order.
type List []*Facts

// WriteText prints every file's facts, separated by blank lines.
func (l List) WriteText(w io.Writer, color bool) error {
	for i, f := range l {
		if i > 0 {
			if _, err := io.WriteString(w, "\n"); err != nil {
				return err
			}
		}
		if err := f.WriteText(w, color); err != nil {
			return err
		}
	}
	return nil
}

// WriteMarkdown prints every file's table.
func (l List) WriteMarkdown(w io.Writer) error {
	for i, f := range l {
		if i > 0 {
			if _, err := io.WriteString(w, "\n"); err != nil {
				return err
			}
		}
		if err := f.WriteMarkdown(w); err != nil {
			return err
		}
	}
	return nil
}

func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
