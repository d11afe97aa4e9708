package simroots

import (
	"os"
	"path/filepath"
	"testing"
)

// realSample reads a file from ../shared/testdata/real beside the repository root, and
// skips the test when that folder is absent (it is never copied into the repository).
func realSample(t testing.TB, name string) []byte {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("no go.mod above the package directory")
		}
		dir = parent
	}
	real := filepath.Join(dir, "..", "shared", "testdata", "real")
	if _, err := os.Stat(real); err != nil {
		t.Skipf("real samples folder %s is absent; skipping the comparison with real evidence", real)
	}
	b, err := os.ReadFile(filepath.Join(real, name))
	if err != nil {
		t.Fatalf("real sample %s: %v", name, err)
	}
	return b
}

func fill(b []byte, v byte) {
	for i := range b {
		b[i] = v + byte(i)
	}
}
