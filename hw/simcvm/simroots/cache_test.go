package simroots

import (
	"bytes"
	"testing"
)

// TestNewAMDOncePerSeed: a seed's VCEK is signed once per process, yet every call gets an
// AMD of its own, so changing one (a TCB-mismatch case) leaves the next call untouched.
func TestNewAMDOncePerSeed(t *testing.T) {
	seed := []byte("cache test seed")
	a, err := NewAMD(seed)
	if err != nil {
		t.Fatal(err)
	}
	a.ReportedTCB++
	b, err := NewAMD(seed)
	if err != nil {
		t.Fatal(err)
	}
	if a == b || b.ReportedTCB != defaultReportedTCB {
		t.Fatalf("the second NewAMD shares the first one's changes: ReportedTCB %#x", b.ReportedTCB)
	}
	if a.VCEK != b.VCEK {
		t.Error("the VCEK certificate was made again for the same seed")
	}
	other, err := NewAMD([]byte("another seed"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(other.VCEK.Raw, b.VCEK.Raw) || other.ChipID == b.ChipID {
		t.Error("two seeds gave the same VCEK or chip ID")
	}
	fresh, err := newAMD(seed)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(fresh.VCEK.Raw, b.VCEK.Raw) {
		t.Error("the kept VCEK differs from one built anew from the same seed")
	}
}
