package triage

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// benchLog concatenates the corpus logs (real build output, mostly from
// passing verbose builds) until the result is at least size bytes.
func benchLog(b *testing.B, size int) []byte {
	b.Helper()
	logs, _ := filepath.Glob(filepath.Join(corpusDir(), "*", "log.txt"))
	if len(logs) == 0 {
		b.Skip("no corpus")
	}
	var one bytes.Buffer
	for _, p := range logs {
		data, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		one.Write(data)
		if len(data) > 0 && data[len(data)-1] != '\n' {
			one.WriteByte('\n')
		}
	}
	var out bytes.Buffer
	for out.Len() < size {
		out.Write(one.Bytes())
	}
	return out.Bytes()
}

func BenchmarkExplain(b *testing.B) {
	_, e := builtinEngine(b)
	log := benchLog(b, 16<<20)
	b.SetBytes(int64(len(log)))
	b.ResetTimer()
	for b.Loop() {
		if _, err := e.Explain(bytes.NewReader(log)); err != nil {
			b.Fatal(err)
		}
	}
}
