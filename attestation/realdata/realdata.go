// Package realdata locates the real Azure evidence samples for tests. They live in
// ../shared/testdata/real beside the repository checkout and are never copied into it;
// tests that need them skip with a clear message when the folder is absent.
package realdata

import (
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the samples folder, skipping the test when it is absent.
func Dir(t testing.TB) string {
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
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
	real := filepath.Join(dir, "..", "shared", "testdata", "real")
	if _, err := os.Stat(real); err != nil {
		t.Skipf("real samples not available at %s (they live beside the checkout, never in it)", real)
	}
	return real
}

// Read returns one sample file's bytes.
func Read(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(Dir(t), name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
