package tpmquote

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/hcl"
	"github.com/google/go-tpm/tpm2"
)

type sample struct {
	name, quote, hclReport, akPEM string
}

var samples = []sample{
	{"trustee SNP", "azsnp-tpmquote-trustee-911b0ef8", "azsnp-hcl-trustee-911b0ef8.bin", ""},
	{"trustee SNP ev-v0", "azsnp-tpmquote-trustee-ev-v0", "azsnp-hcl-trustee-ev-v0.bin", ""},
	{"trustee TDX", "aztdx-tpmquote-trustee-6332533d", "aztdx-hcl-trustee-6332533d.bin", ""},
	{"kinvolk 2024", "azvtpm-quote-kinvolk-2024", "", "azvtpm-akpub-kinvolk-2024.pem"},
}

type evidence struct {
	msg, sig []byte
	pcrs     map[int][]byte
	ak       *rsa.PublicKey
	claims   *hcl.RuntimeClaims
}

func load(t *testing.T, s sample) evidence {
	t.Helper()
	e := evidence{
		msg:  readReal(t, s.quote+".msg.bin"),
		sig:  readReal(t, s.quote+".sig.bin"),
		pcrs: pcrFile(t, s.quote+".pcrs-sha256.bin"),
	}
	if s.hclReport != "" {
		r, err := hcl.Parse(readReal(t, s.hclReport))
		if err != nil {
			t.Fatalf("%s: %v", s.hclReport, err)
		}
		if r.RuntimeClaims == nil {
			t.Fatalf("%s: no runtime claims: %v", s.hclReport, r.ClaimsErr)
		}
		e.claims = r.RuntimeClaims
		k := r.RuntimeClaims.Key("HCLAkPub")
		if k == nil {
			t.Fatalf("%s: no HCLAkPub", s.hclReport)
		}
		if e.ak, err = k.RSA(); err != nil {
			t.Fatal(err)
		}
	} else {
		var err error
		if e.ak, err = ParsePublic(readReal(t, s.akPEM)); err != nil {
			t.Fatalf("%s: %v", s.akPEM, err)
		}
	}
	return e
}

func verdicts(l check.List) map[string]check.Verdict {
	m := map[string]check.Verdict{}
	for _, c := range l {
		m[c.ID] = c.Verdict
	}
	return m
}

func TestRealQuotesVerify(t *testing.T) {
	for _, s := range samples {
		t.Run(s.name, func(t *testing.T) {
			e := load(t, s)
			l := VerifyQuote(e.msg, e.sig, e.ak, e.pcrs, []byte("challenge"))
			want := map[string]check.Verdict{IDSignature: check.Pass, IDNonce: check.Pass, IDPCRDigest: check.Pass}
			if got := verdicts(l); !equalVerdicts(got, want) {
				t.Fatalf("verdicts %v, want %v\n%v", got, want, l)
			}
			d := l.Find(IDPCRDigest)[0]
			if !strings.Contains(strings.Join(d.Details, "\n"), "selected PCRs (sha256 bank): 0-23") {
				t.Errorf("pcr-digest details do not list the selection: %v", d.Details)
			}
			if e.claims != nil {
				if c := AKBinding(e.claims, e.ak); c.Verdict != check.Pass {
					t.Errorf("AKBinding: %v", c)
				}
			}
		})
	}
}

func equalVerdicts(a, b map[string]check.Verdict) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestTamperedEvidenceFails(t *testing.T) {
	e := load(t, samples[0])
	t.Run("flipped PCR", func(t *testing.T) {
		pcrs := map[int][]byte{}
		for k, v := range e.pcrs {
			pcrs[k] = v
		}
		pcrs[7] = bytes.Clone(pcrs[7])
		pcrs[7][0] ^= 1
		l := VerifyQuote(e.msg, e.sig, e.ak, pcrs, nil)
		if l.Verdict(IDPCRDigest) != check.Fail || l.Verdict(IDSignature) != check.Pass {
			t.Fatalf("want pcr-digest fail and signature pass:\n%v", l)
		}
		if l.Verdict(IDNonce) != check.Skip {
			t.Errorf("nonce without expectation should skip: %v", l.Find(IDNonce))
		}
	})
	t.Run("missing PCR", func(t *testing.T) {
		pcrs := map[int][]byte{0: e.pcrs[0]}
		c := VerifyQuote(e.msg, e.sig, e.ak, pcrs, nil).Find(IDPCRDigest)[0]
		if c.Verdict != check.Fail || !strings.Contains(c.Summary, "1-23") {
			t.Fatalf("want missing 1-23: %v", c)
		}
	})
	t.Run("flipped signature", func(t *testing.T) {
		sig := bytes.Clone(e.sig)
		sig[100] ^= 0x80
		if v := VerifyQuote(e.msg, sig, e.ak, e.pcrs, nil).Verdict(IDSignature); v != check.Fail {
			t.Fatalf("signature verdict %v, want fail", v)
		}
	})
	t.Run("flipped message", func(t *testing.T) {
		msg := bytes.Clone(e.msg)
		msg[len(msg)-1] ^= 1 // last byte of pcrDigest
		l := VerifyQuote(msg, e.sig, e.ak, e.pcrs, nil)
		if l.Verdict(IDSignature) != check.Fail || l.Verdict(IDPCRDigest) != check.Fail {
			t.Fatalf("want both to fail:\n%v", l)
		}
	})
	t.Run("wrong key", func(t *testing.T) {
		other := load(t, samples[2]).ak
		if v := VerifyQuote(e.msg, e.sig, other, e.pcrs, nil).Verdict(IDSignature); v != check.Fail {
			t.Fatalf("signature verdict %v with another VM's AK, want fail", v)
		}
		if c := AKBinding(e.claims, other); c.Verdict != check.Fail {
			t.Fatalf("AKBinding with another VM's AK: %v", c)
		}
	})
	t.Run("wrong nonce", func(t *testing.T) {
		if v := VerifyQuote(e.msg, e.sig, e.ak, e.pcrs, []byte("other")).Verdict(IDNonce); v != check.Fail {
			t.Fatalf("nonce verdict %v, want fail", v)
		}
	})
	t.Run("no key, no PCRs", func(t *testing.T) {
		l := VerifyQuote(e.msg, e.sig, nil, nil, nil)
		if l.Verdict(IDSignature) != check.Skip || l.Verdict(IDPCRDigest) != check.Skip || !l.OK() {
			t.Fatalf("want skips:\n%v", l)
		}
	})
}

func TestTPMTSignatureAccepted(t *testing.T) {
	e := load(t, samples[3])
	ts := tpm2.TPMTSignature{SigAlg: tpm2.TPMAlgRSASSA, Signature: tpm2.NewTPMUSignature(tpm2.TPMAlgRSASSA,
		&tpm2.TPMSSignatureRSA{Hash: tpm2.TPMAlgSHA256, Sig: tpm2.TPM2BPublicKeyRSA{Buffer: e.sig}})}
	l := VerifyQuote(e.msg, tpm2.Marshal(ts), e.ak, e.pcrs, nil)
	if l.Verdict(IDSignature) != check.Pass {
		t.Fatalf("TPMT_SIGNATURE: %v", l)
	}
}

func TestGarbageInput(t *testing.T) {
	e := load(t, samples[0])
	for name, msg := range map[string][]byte{
		"empty":        nil,
		"signature":    e.sig,
		"bad type":     append([]byte{0xff, 0x54, 0x43, 0x47, 0x80, 0x14}, e.msg[6:]...),
		"truncated":    e.msg[:40],
		"trailing":     append(bytes.Clone(e.msg), 0),
		"huge TPM2B":   append(bytes.Clone(e.msg[:6]), 0xff, 0xff, 1, 2),
		"random bytes": randomBytes(t, 122),
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := ParseAttest(msg); err == nil {
				t.Fatal("ParseAttest accepted garbage")
			} else if !strings.Contains(err.Error(), "TPMS_ATTEST") {
				t.Errorf("error does not name the structure: %v", err)
			}
			l := VerifyQuote(msg, e.sig, e.ak, e.pcrs, nil)
			if l.OK() {
				t.Fatalf("garbage verified:\n%v", l)
			}
		})
	}
	if _, err := ParsePublic([]byte("not a key")); err == nil {
		t.Error("ParsePublic accepted garbage")
	}
	if c := VerifyQuote(e.msg, []byte{1, 2, 3}, e.ak, nil, nil).Find(IDSignature)[0]; c.Verdict != check.Fail {
		t.Errorf("3-byte signature: %v", c)
	}
}

func randomBytes(t *testing.T, n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseAttestFields(t *testing.T) {
	a, err := ParseAttest(readReal(t, "aztdx-tpmquote-trustee-6332533d.msg.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if a.TypeName() != "quote" || string(a.ExtraData) != "challenge" || len(a.PCRDigest) != 32 {
		t.Fatalf("unexpected attest: %+v", a)
	}
	got := map[string]string{}
	for _, f := range a.Fields() {
		got[f.Name] = f.Value
	}
	if got["PCR selection"] != "sha256: 0-23" || !strings.Contains(got["Extra data"], `"challenge"`) {
		t.Errorf("fields: %v", got)
	}
}

func TestAKBindingWithoutClaims(t *testing.T) {
	e := load(t, samples[0])
	if c := AKBinding(nil, e.ak); c.Verdict != check.Skip {
		t.Errorf("nil claims: %v", c)
	}
	if c := AKBinding(&hcl.RuntimeClaims{}, e.ak); c.Verdict != check.Fail {
		t.Errorf("claims without HCLAkPub: %v", c)
	}
}

func BenchmarkVerifyQuote(b *testing.B) {
	msg := readReal(b, "azvtpm-quote-kinvolk-2024.msg.bin")
	sig := readReal(b, "azvtpm-quote-kinvolk-2024.sig.bin")
	pcrs := pcrFile(b, "azvtpm-quote-kinvolk-2024.pcrs-sha256.bin")
	ak, err := ParsePublic(readReal(b, "azvtpm-akpub-kinvolk-2024.pem"))
	if err != nil {
		b.Fatal(err)
	}
	if l := VerifyQuote(msg, sig, ak, pcrs, nil); !l.OK() {
		b.Fatalf("sample does not verify:\n%v", l)
	}
	for b.Loop() {
		VerifyQuote(msg, sig, ak, pcrs, nil)
	}
}

// A quote over two banks: the digest runs over the banks in the selection's order, each
// bank's PCRs ascending; values missing for one bank fail and name it.
func TestPCRDigestTwoBanks(t *testing.T) {
	sha1Vals, sha256Vals := map[int][]byte{}, map[int][]byte{}
	for p := range 3 {
		sha1Vals[p] = bytes.Repeat([]byte{byte(0x10 + p)}, 20)
		sha256Vals[p] = bytes.Repeat([]byte{byte(0x20 + p)}, 32)
	}
	quote := func(first, second tpm2.TPMAlgID, digest []byte) []byte {
		sel := tpm2.TPMLPCRSelection{PCRSelections: []tpm2.TPMSPCRSelection{{Hash: first, PCRSelect: []byte{7, 0, 0}}, {Hash: second, PCRSelect: []byte{7, 0, 0}}}}
		return tpm2.Marshal(tpm2.TPMSAttest{Magic: TPMGenerated, Type: tpm2.TPMSTAttestQuote,
			Attested: tpm2.NewTPMUAttest(tpm2.TPMSTAttestQuote, &tpm2.TPMSQuoteInfo{PCRSelect: sel, PCRDigest: tpm2.TPM2BDigest{Buffer: digest}})})
	}
	h := sha256.New()
	for _, bank := range []map[int][]byte{sha1Vals, sha256Vals} {
		for p := range 3 {
			h.Write(bank[p])
		}
	}
	digest := h.Sum(nil)
	banks := Banks{tpm2.TPMAlgSHA1: sha1Vals, tpm2.TPMAlgSHA256: sha256Vals}
	if c := VerifyQuoteBanks(quote(tpm2.TPMAlgSHA1, tpm2.TPMAlgSHA256, digest), nil, nil, banks, nil).Find(IDPCRDigest)[0]; c.Verdict != check.Pass || !strings.Contains(c.Summary, "0-2 (sha1), 0-2 (sha256)") {
		t.Errorf("sha1 then sha256: %s %s", c.Verdict, c.Summary)
	}
	// The same digest under the selection in the other order does not match.
	if c := VerifyQuoteBanks(quote(tpm2.TPMAlgSHA256, tpm2.TPMAlgSHA1, digest), nil, nil, banks, nil).Find(IDPCRDigest)[0]; c.Verdict != check.Fail {
		t.Errorf("sha256 then sha1 with the sha1-first digest: %s %s", c.Verdict, c.Summary)
	}
	c := VerifyQuote(quote(tpm2.TPMAlgSHA1, tpm2.TPMAlgSHA256, digest), nil, nil, sha256Vals, nil).Find(IDPCRDigest)[0]
	if c.Verdict != check.Fail || !strings.Contains(c.Summary, "0-2 (sha1)") || !strings.Contains(strings.Join(c.Details, "\n"), "tpm2_pcrread -o takes the quote's selection, e.g. sha1:0,1,2+sha256:0,1,2") || c.SummaryKO == "" {
		t.Errorf("SHA-256 values only: %s %s %v", c.Verdict, c.Summary, c.Details)
	}
}
