package release

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func FuzzParseChecksums(f *testing.F) {
	f.Add([]byte(strings.Repeat("a", 64) + "  hello_linux_amd64.tar.gz\n"))
	f.Add([]byte(strings.Repeat("0", 64) + " *bin/x\n\n" + strings.Repeat("f", 64) + "  y\r\n"))
	f.Add([]byte(strings.Repeat("0", 64) + "  ../etc/passwd\n"))
	f.Add([]byte("\xff\xfe  x\n"))
	f.Add([]byte(strings.Repeat("x", maxChecksumLine+1)))
	f.Fuzz(func(t *testing.T, data []byte) {
		sums, err := ParseChecksums(bytes.NewReader(data))
		if err != nil {
			return
		}
		// What parses must survive a format and parse round trip.
		again, err := ParseChecksums(bytes.NewReader(formatChecksums(sums)))
		if err != nil || len(again) != len(sums) {
			t.Fatalf("round trip: %v, %d vs %d sums", err, len(again), len(sums))
		}
		for _, s := range sums {
			if checkRelName(s.Name) != nil {
				t.Fatalf("accepted name %q", s.Name)
			}
		}
	})
}

func FuzzParseArtifacts(f *testing.F) {
	f.Add([]byte(`[{"name":"a","path":"a","type":"Binary","extra":{"Checksum":"sha256:00","abi":{"target":"linux/amd64","cgo":false}}}]`))
	f.Add([]byte(`[{"name":"a","path":"/etc/passwd","type":"Archive","extra":{}}]`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`[null]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		arts, err := ParseArtifacts(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, a := range arts {
			if checkRelName(a.Path) != nil {
				t.Fatalf("accepted path %q", a.Path)
			}
			a.Extra.checksumHex()
		}
	})
}

func FuzzReadArchive(f *testing.F) {
	members := []member{{Name: "hello", Mode: 0o755, Data: []byte("binary")}, {Name: "README.md", Mode: 0o644, Data: []byte("# r\n")}}
	var tgz, zb bytes.Buffer
	if err := writeTarGz(&tgz, members, zipEpoch); err != nil {
		f.Fatal(err)
	}
	if err := writeZip(&zb, members, zipEpoch); err != nil {
		f.Fatal(err)
	}
	f.Add(tgz.Bytes(), false)
	f.Add(zb.Bytes(), true)
	f.Add([]byte("\x1f\x8b\x08"), false)
	f.Add([]byte("PK\x03\x04"), true)
	f.Fuzz(func(t *testing.T, data []byte, isZip bool) {
		var got []member
		var err error
		if isZip {
			got, err = readZip(data)
		} else {
			got, err = readTarGz(bytes.NewReader(data))
		}
		if err != nil {
			return
		}
		for _, m := range got {
			if checkMemberName(m.Name) != nil {
				t.Fatalf("accepted member name %q", m.Name)
			}
		}
	})
}

// TestArchivesRoundTrip checks members, order, modes and times survive.
func TestArchivesRoundTrip(t *testing.T) {
	t.Parallel()
	members := []member{{Name: "hello", Mode: 0o755, Data: []byte("binary")}, {Name: "LICENSE", Mode: 0o644, Data: []byte("L\n")}}
	when := time.Date(2023, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, zipped := range []bool{false, true} {
		var buf bytes.Buffer
		var err error
		var got []member
		if zipped {
			err = writeZip(&buf, members, when)
		} else {
			err = writeTarGz(&buf, members, when)
		}
		if err == nil {
			if zipped {
				got, err = readZip(buf.Bytes())
			} else {
				got, err = readTarGz(&buf)
			}
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].Name != "hello" || got[0].Mode != 0o755 || string(got[1].Data) != "L\n" || got[1].Mode != 0o644 {
			t.Errorf("zip=%v: round trip gave %+v", zipped, got)
		}
	}
}
