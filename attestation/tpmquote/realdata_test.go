package tpmquote

import (
	"os"
	"path/filepath"
	"testing"
)

// realDir is ../shared/testdata/real relative to the repository root.
func realDir(t testing.TB) string {
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
			t.Fatal("no go.mod above the test directory")
		}
		dir = parent
	}
	real := filepath.Join(dir, "..", "shared", "testdata", "real")
	if _, err := os.Stat(real); err != nil {
		t.Skipf("real evidence folder %s is absent; these tests need it", real)
	}
	return real
}

func readReal(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(realDir(t), name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// pcrFile splits a .pcrs-sha256.bin (24 x 32 bytes, PCR 0..23) into a map.
func pcrFile(t testing.TB, name string) map[int][]byte {
	t.Helper()
	b := readReal(t, name)
	if len(b) != 24*32 {
		t.Fatalf("%s: %d bytes, want 768", name, len(b))
	}
	m := map[int][]byte{}
	for i := 0; i < 24; i++ {
		m[i] = b[i*32 : (i+1)*32]
	}
	return m
}
