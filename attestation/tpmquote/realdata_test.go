package tpmquote

import (
	"github.com/cvmscope/cvmscope/attestation/realdata"
	"testing"
)

// realDir is ../shared/testdata/real relative to the repository root.
func readReal(t testing.TB, name string) []byte {
	t.Helper()
	return realdata.Read(t, name)
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
