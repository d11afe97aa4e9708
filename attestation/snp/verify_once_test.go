package snp

import (
	"bytes"
	"testing"
	"time"

	"github.com/cvmscope/cvmscope/attestation/check"
)

// TestSignatureOnceOverTheBytesRead: go-sev-guest's pass stands for snp.signature only when
// it checked exactly the bytes that were read. A report whose raw bytes were altered after
// parsing (so that the parsed form still verifies) fails snp.signature.
func TestSignatureOnceOverTheBytesRead(t *testing.T) {
	r, err := Parse(readReal(t, "snp-report-gosevguest.bin"))
	if err != nil {
		t.Fatal(err)
	}
	certs := realCerts(t, "amd-milan-vcek-gosevguest.der")
	now := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	if !protoIsRaw(r) {
		t.Fatal("a report as read is not what go-sev-guest re-encodes")
	}
	l := Verify(r, certs, Options{Now: now})
	if l.Verdict(IDSignature) != check.Pass || l.Verdict(IDChain) != check.Pass {
		t.Fatalf("real report: %v", l)
	}
	altered := *r
	altered.Raw = bytes.Clone(r.Raw)
	altered.Raw[0x50] ^= 1 // inside the signed range; the parsed form is unchanged
	if protoIsRaw(&altered) {
		t.Fatal("altered bytes still equal the parsed form")
	}
	l = Verify(&altered, certs, Options{Now: now})
	if l.Verdict(IDSignature) != check.Fail {
		t.Fatalf("altered raw bytes: snp.signature %s, want fail: %v", l.Verdict(IDSignature), l)
	}
}
