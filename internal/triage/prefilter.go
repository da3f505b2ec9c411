package triage

// prefilter finds, in one pass over a line, which of a fixed set of
// literals occur in it (ASCII case folded). It is an Aho–Corasick automaton
// compiled to a dense transition table over byte classes, so scanning
// costs two table lookups per byte whatever the number of literals.
type prefilter struct {
	class    [256]uint8 // byte → class; 0 is "in no literal"
	nclass   int
	next     []int32 // state*nclass + class → state
	out      [][]int32
	literals []string
}

func foldByte(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func newPrefilter(literals []string) *prefilter {
	p := &prefilter{literals: literals}
	// Byte classes: every distinct (folded) byte used by a literal gets one.
	nclass := 1
	for _, lit := range literals {
		for i := 0; i < len(lit); i++ {
			c := foldByte(lit[i])
			if p.class[c] == 0 {
				if nclass == 256 {
					continue
				}
				p.class[c] = uint8(nclass)
				nclass++
			}
		}
	}
	for c := 'A'; c <= 'Z'; c++ {
		p.class[c] = p.class[c+'a'-'A']
	}
	p.nclass = nclass

	// Trie.
	type node struct {
		child map[uint8]int32
		fail  int32
		out   []int32
	}
	nodes := []node{{child: map[uint8]int32{}}}
	for id, lit := range literals {
		s := int32(0)
		for i := 0; i < len(lit); i++ {
			c := p.class[foldByte(lit[i])]
			n, ok := nodes[s].child[c]
			if !ok {
				n = int32(len(nodes))
				nodes = append(nodes, node{child: map[uint8]int32{}})
				nodes[s].child[c] = n
			}
			s = n
		}
		nodes[s].out = append(nodes[s].out, int32(id))
	}
	// Breadth-first failure links, folded into a full transition table.
	p.next = make([]int32, len(nodes)*nclass)
	p.out = make([][]int32, len(nodes))
	queue := []int32{0}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		p.out[s] = append(p.out[s], nodes[s].out...)
		if s != 0 {
			p.out[s] = append(p.out[s], p.out[nodes[s].fail]...)
		}
		for c := 0; c < nclass; c++ {
			n, ok := nodes[s].child[uint8(c)]
			switch {
			case ok:
				if s == 0 {
					nodes[n].fail = 0
				} else {
					nodes[n].fail = p.next[int(nodes[s].fail)*nclass+c]
				}
				p.next[int(s)*nclass+c] = n
				queue = append(queue, n)
			case s == 0:
				p.next[c] = 0
			default:
				p.next[int(s)*nclass+c] = p.next[int(nodes[s].fail)*nclass+c]
			}
		}
	}
	p.encode()
	return p
}

// scan calls hit for every literal occurrence in line (possibly several
// times for the same literal).
func (p *prefilter) scan(line []byte, hit func(lit int32)) {
	// The table holds premultiplied row offsets, negated (^x) for states
	// that end a literal, so the loop is one load and one sign test per byte.
	next, class := p.next, &p.class
	s := int32(0)
	for _, c := range line {
		t := next[s+int32(class[c])]
		if t < 0 {
			t = ^t
			for _, l := range p.out[t/int32(p.nclass)] {
				hit(l)
			}
		}
		s = t
	}
}

// encode rewrites the transition table into the form scan reads.
func (p *prefilter) encode() {
	n := int32(p.nclass)
	for i, t := range p.next {
		v := t * n
		if len(p.out[t]) > 0 {
			v = ^v
		}
		p.next[i] = v
	}
}
