package tpm

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"maps"
	"slices"
	"testing"

	"github.com/cvmscope/cvmscope/hw/tpm/swtpmtest"
	"github.com/google/go-tpm/tpm2"
)

// Every allocated bank is read, and each holds what was extended into it: the embedded
// simulator allocates SHA-1, SHA-256 and SHA-384 (its reference build's default).
func TestReadBanksEmbedded(t *testing.T) {
	tp := openSimT(t)
	banks, err := tp.Banks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, b := range banks {
		names = append(names, BankName(b))
	}
	t.Logf("embedded simulator banks: %v", names)
	for _, want := range []string{"sha1", "sha256", "sha384"} {
		if !slices.Contains(names, want) {
			t.Errorf("banks %v, want %s among them", names, want)
		}
	}
	// PCR 16 (debug) is resettable and extendable by anyone; extend one event in all banks.
	event := []byte("cvmscope bank test")
	d1, d256, d384 := sha1.Sum(event), sha256.Sum256(event), sha512.Sum384(event)
	_, err = tpm2.PCRExtend{PCRHandle: tpm2.AuthHandle{Handle: 16, Auth: tpm2.PasswordAuth(nil)},
		Digests: tpm2.TPMLDigestValues{Digests: []tpm2.TPMTHA{
			{HashAlg: tpm2.TPMAlgSHA1, Digest: d1[:]},
			{HashAlg: tpm2.TPMAlgSHA256, Digest: d256[:]},
			{HashAlg: tpm2.TPMAlgSHA384, Digest: d384[:]},
		}}}.Execute(tp.Transport())
	if err != nil {
		t.Fatal(err)
	}
	got, err := tp.ReadBanks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ext := func(size int, h func([]byte) []byte, d []byte) []byte { return h(append(make([]byte, size), d...)) }
	want := map[string][]byte{
		"sha1":   ext(20, func(b []byte) []byte { s := sha1.Sum(b); return s[:] }, d1[:]),
		"sha256": ext(32, func(b []byte) []byte { s := sha256.Sum256(b); return s[:] }, d256[:]),
		"sha384": ext(48, func(b []byte) []byte { s := sha512.Sum384(b); return s[:] }, d384[:]),
	}
	for bank, w := range want {
		if len(got[bank]) != PCRCount {
			t.Errorf("%s: %d PCRs, want %d", bank, len(got[bank]), PCRCount)
		}
		if !bytes.Equal(got[bank][16], w) {
			t.Errorf("%s PCR16 = %x, want %x", bank, got[bank][16], w)
		}
	}
}

// swtpm allocates only what it was told to; whatever that is, each allocated bank reads whole.
func TestReadBanksSwtpm(t *testing.T) {
	addr, _ := swtpmtest.Start(t)
	tp, err := Open(ctx, "tcp://"+addr)
	if err != nil {
		t.Fatal(err)
	}
	defer tp.Close()
	got, err := tp.ReadBanks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("swtpm banks: %v", slices.Sorted(maps.Keys(got)))
	if len(got["sha256"]) != PCRCount {
		t.Errorf("sha256: %d PCRs, want %d", len(got["sha256"]), PCRCount)
	}
	for bank, v := range got {
		if len(v) != PCRCount {
			t.Errorf("%s: %d PCRs, want %d", bank, len(v), PCRCount)
		}
	}
}
