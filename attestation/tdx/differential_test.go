package tdx

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"encoding/pem"
	"math/big"
	"slices"
	"testing"
	"time"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/google/go-tdx-guest/verify"
)

// withChain returns the v4 quote raw with its PEM PCK chain replaced by chain and the three
// sizes around it (signed data, certification data, PCK chain) set to fit. Nothing signed
// covers these bytes: whoever hands over a quote can rewrite them.
func withChain(q *Quote, chain []byte) []byte {
	pckOff := q.chainOff - 6
	b := append(slices.Clone(q.Raw[:q.chainOff]), chain...)
	le := binary.LittleEndian
	le.PutUint32(b[pckOff+2:], uint32(len(chain)))
	signedOff := q.sigSizeOff + 4
	certOff := signedOff + signedCertTypeRel
	le.PutUint32(b[certOff+2:], uint32(len(b)-(certOff+6)))
	le.PutUint32(b[q.sigSizeOff:], uint32(len(b)-signedOff))
	return b
}

func pemOf(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

// TestChainRewritesAgreeWithGoTDXGuest: the PCK chain is the unsigned part of a quote. Every
// rewrite of it that go-tdx-guest's TdxQuote refuses (another PEM type, text around the
// certificates, another order, a fourth certificate) must be refused by VerifyQuote too, and
// the untouched chain passes both. One difference is kept on purpose (lenient): zero bytes
// and white space after the root, which Intel's QVL ignores too and go-tdx-guest refuses
// beyond one NUL; the certificates read are then byte for byte the issued ones.
func TestChainRewritesAgreeWithGoTDXGuest(t *testing.T) {
	roots, err := parsePEMChain(readReal(t, "intel-sgx-root-ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(roots[0])
	for _, file := range []string{azureQuoteFile, dcapQuoteFile} {
		q0, err := ParseQuote(readReal(t, file))
		if err != nil {
			t.Fatal(err)
		}
		leaf, inter, root := q0.PCK.Raw, q0.Intermediate.Raw, q0.Root.Raw
		cert := func(der []byte) []byte { return pemOf("CERTIFICATE", der) }
		cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
		for _, tc := range []struct {
			name    string
			chain   []byte
			lenient bool
		}{
			{"as issued", cat(cert(leaf), cert(inter), cert(root)), false},
			{"one NUL after", cat(cert(leaf), cert(inter), cert(root), []byte{0}), false},
			{"two NULs after", cat(cert(leaf), cert(inter), cert(root), []byte{0, 0}), true},
			{"newline after", cat(cert(leaf), cert(inter), cert(root), []byte("\n")), true},
			{"text before the leaf", cat([]byte("junk\n"), cert(leaf), cert(inter), cert(root)), false},
			{"text between certificates", cat(cert(leaf), []byte("hello\n"), cert(inter), cert(root)), false},
			{"leaf as TRUSTED CERTIFICATE", cat(pemOf("TRUSTED CERTIFICATE", leaf), cert(inter), cert(root)), false},
			{"root as X509 CERTIFICATE", cat(cert(leaf), cert(inter), pemOf("X509 CERTIFICATE", root)), false},
			{"PEM headers in the leaf", cat(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Headers: map[string]string{"Note": "x"}, Bytes: leaf}), cert(inter), cert(root)), false},
			{"intermediate first", cat(cert(inter), cert(leaf), cert(root)), false},
			{"root twice", cat(cert(leaf), cert(inter), cert(root), cert(root)), false},
			{"intermediate as root", cat(cert(leaf), cert(inter), cert(inter)), false},
			{"root as intermediate", cat(cert(leaf), cert(root), cert(root)), false},
			{"leaf as intermediate", cat(cert(leaf), cert(leaf), cert(root)), false},
		} {
			raw := withChain(q0, tc.chain)
			q, perr := ParseQuote(raw)
			ours := check.Fail
			if perr == nil {
				ours = VerifyQuote(q, Options{Now: collateralDate}).Verdict
			}
			theirs := verify.RawTdxQuote(raw, &verify.Options{TrustedRoots: pool,
				Now: &verify.TimeSet{PckCertChain: collateralDate, TcbInfo: collateralDate, QeIdentity: collateralDate, PckCrl: collateralDate, RootCaCrl: collateralDate}})
			if tc.lenient {
				if ours != check.Pass || theirs == nil || !q.PCK.Equal(q0.PCK) || !q.Intermediate.Equal(q0.Intermediate) || !q.Root.Equal(q0.Root) {
					t.Errorf("%s, chain %s: cvmscope %v (parse: %v), go-tdx-guest %v; want the issued certificates accepted as go-tdx-guest refuses the padding", file, tc.name, ours, perr, theirs)
				}
				continue
			}
			if (ours == check.Pass) != (theirs == nil) {
				t.Errorf("%s, chain %s: cvmscope %v (parse: %v); go-tdx-guest %v", file, tc.name, ours, perr, theirs)
			}
			if tc.name == "as issued" && ours != check.Pass {
				t.Fatalf("%s: the quote rebuilt with its own chain does not verify (%v); withChain is wrong", file, perr)
			}
		}
	}
}

// forgedPKI is a PCK PKI of the test's own, shaped like Intel's, that signs quotes: what a
// caller who chose its root (TrustedRoots) accepts, and what go-tdx-guest accepts under it.
type forgedPKI struct {
	rootKey, interKey, pckKey *ecdsa.PrivateKey
	root, inter, pck          *x509.Certificate
}

// certSpec shapes one certificate of the forged chain.
type certSpec struct {
	tmpl   *x509.Certificate
	signer func(p *forgedPKI) (*x509.Certificate, *ecdsa.PrivateKey)
}

func newKey(t *testing.T) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// forgePKI issues root, PCK CA and PCK certificates; edit may change each template (and the
// PCK's issuer) before it is signed.
func forgePKI(t *testing.T, q0 *Quote, edit func(level string, tmpl *x509.Certificate) (issuer string)) *forgedPKI {
	t.Helper()
	p := &forgedPKI{rootKey: newKey(t), interKey: newKey(t), pckKey: newKey(t)}
	from, to := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC)
	// The issued PCK's extensions but those x509 writes from the template (key usage) or
	// from the issuer (authority key ID): go-tdx-guest counts them.
	var sgx []pkix.Extension
	for _, e := range q0.PCK.Extensions {
		if id := e.Id.String(); id != "2.5.29.15" && id != "2.5.29.35" {
			sgx = append(sgx, e)
		}
	}
	issue := func(level string, tmpl *x509.Certificate, pub *ecdsa.PublicKey, defaultIssuer string) *x509.Certificate {
		issuer := defaultIssuer
		if edit != nil {
			if i := edit(level, tmpl); i != "" {
				issuer = i
			}
		}
		parent, key := p.root, p.rootKey
		switch issuer {
		case "self":
			parent, key = tmpl, p.rootKey
		case "inter":
			parent, key = p.inter, p.interKey
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, key)
		if err != nil {
			t.Fatal(err)
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	p.root = issue("root", &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: rootCN, Organization: []string{"Intel Corporation"}},
		NotBefore: from, NotAfter: to, IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}, &p.rootKey.PublicKey, "self")
	p.inter = issue("inter", &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: platformCACN, Organization: []string{"Intel Corporation"}},
		NotBefore: from, NotAfter: to, IsCA: true, BasicConstraintsValid: true, MaxPathLenZero: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}, &p.interKey.PublicKey, "root")
	p.pck = issue("pck", &x509.Certificate{SerialNumber: big.NewInt(3), Subject: pkix.Name{CommonName: pckCN, Organization: []string{"Intel Corporation"}},
		NotBefore: from, NotAfter: to, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment, ExtraExtensions: sgx}, &p.pckKey.PublicKey, "inter")
	return p
}

func rs(t *testing.T, k *ecdsa.PrivateKey, msg []byte) []byte {
	h := sha256.Sum256(msg)
	r, s, err := ecdsa.Sign(rand.Reader, k, h[:])
	if err != nil {
		t.Fatal(err)
	}
	out := make([]byte, 64)
	r.FillBytes(out[:32])
	s.FillBytes(out[32:])
	return out
}

// quote signs q0's header and body again under p: a new attestation key, bound by the QE
// report, which p's PCK key signs, and p's chain.
func (p *forgedPKI) quote(t *testing.T, q0 *Quote) []byte {
	att := newKey(t)
	b := slices.Clone(q0.Raw)
	signedOff := q0.sigSizeOff + 4
	att.PublicKey.X.FillBytes(b[signedOff+64 : signedOff+96])
	att.PublicKey.Y.FillBytes(b[signedOff+96 : signedOff+128])
	authLen := int(binary.LittleEndian.Uint16(b[q0.authOff:]))
	bind := sha256.Sum256(append(slices.Clone(b[signedOff+64:signedOff+128]), b[q0.authOff+2:q0.authOff+2+authLen]...))
	rd := b[q0.certDataOff+320 : q0.certDataOff+384]
	copy(rd, bind[:])
	clear(rd[32:])
	copy(b[q0.certDataOff+qeReportSize:], rs(t, p.pckKey, b[q0.certDataOff:q0.certDataOff+qeReportSize]))
	copy(b[signedOff:], rs(t, att, b[:q0.sigSizeOff]))
	q := *q0
	q.Raw = b
	return withChain(&q, bytes.Join([][]byte{pemOf("CERTIFICATE", p.pck.Raw), pemOf("CERTIFICATE", p.inter.Raw), pemOf("CERTIFICATE", p.root.Raw)}, nil))
}

// TestForgedPKIAgreesWithGoTDXGuest: under a root the caller chose, a chain that breaks what
// go-tdx-guest requires of Intel's PKI (a PCK CA that did not issue the PCK, certificates
// out of their validity, a PCK CA that is no CA, key usages) is refused by VerifyQuote too.
func TestForgedPKIAgreesWithGoTDXGuest(t *testing.T) {
	q0, err := ParseQuote(readReal(t, azureQuoteFile))
	if err != nil {
		t.Fatal(err)
	}
	now := collateralDate
	for _, tc := range []struct {
		name string
		edit func(level string, c *x509.Certificate) string
		// lenient: cvmscope accepts what go-tdx-guest refuses, on purpose.
		lenient bool
	}{
		{"as issued", nil, false},
		{"PCK issued by the root, PCK CA beside it", func(l string, c *x509.Certificate) string {
			if l == "pck" {
				return "root"
			}
			return ""
		}, false},
		{"PCK expired", func(l string, c *x509.Certificate) string {
			if l == "pck" {
				c.NotAfter = now.Add(-time.Hour)
			}
			return ""
		}, false},
		{"PCK not yet valid", func(l string, c *x509.Certificate) string {
			if l == "pck" {
				c.NotBefore = now.Add(time.Hour)
			}
			return ""
		}, false},
		{"PCK CA expired", func(l string, c *x509.Certificate) string {
			if l == "inter" {
				c.NotAfter = now.Add(-time.Hour)
			}
			return ""
		}, false},
		{"root expired", func(l string, c *x509.Certificate) string {
			if l == "root" {
				c.NotAfter = now.Add(-time.Hour)
			}
			return ""
		}, false},
		{"PCK CA not a CA", func(l string, c *x509.Certificate) string {
			if l == "inter" {
				c.IsCA, c.MaxPathLenZero = false, false
			}
			return ""
		}, false},
		{"PCK with client-auth EKU only", func(l string, c *x509.Certificate) string {
			if l == "pck" {
				c.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
			}
			return ""
		}, false},
		{"PCK CA with code-signing EKU only", func(l string, c *x509.Certificate) string {
			if l == "inter" {
				c.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning}
			}
			return ""
		}, false},
		// Intel issues PCKs under its Processor CA too (Intel's QVL accepts both names);
		// go-tdx-guest knows only the Platform CA.
		{"PCK CA named Processor CA", func(l string, c *x509.Certificate) string {
			if l == "inter" {
				c.Subject.CommonName = processorCACN
			}
			return ""
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := forgePKI(t, q0, tc.edit)
			raw := p.quote(t, q0)
			pool := x509.NewCertPool()
			pool.AddCert(p.root)
			q, perr := ParseQuote(raw)
			ours, summary := check.Fail, ""
			if perr == nil {
				c := VerifyQuote(q, Options{Now: now, TrustedRoots: pool})
				ours, summary = c.Verdict, c.Summary
			}
			theirs := verify.RawTdxQuote(raw, &verify.Options{TrustedRoots: pool,
				Now: &verify.TimeSet{PckCertChain: now, TcbInfo: now, QeIdentity: now, PckCrl: now, RootCaCrl: now}})
			if tc.lenient {
				if ours != check.Pass || theirs == nil {
					t.Errorf("cvmscope %v %s (parse: %v); go-tdx-guest %v; want cvmscope to pass what go-tdx-guest refuses", ours, summary, perr, theirs)
				}
			} else if (ours == check.Pass) != (theirs == nil) {
				t.Errorf("cvmscope %v %s (parse: %v); go-tdx-guest %v", ours, summary, perr, theirs)
			}
			if tc.edit == nil && ours != check.Pass {
				t.Fatalf("the forged quote does not verify under its own root: %s %v", summary, perr)
			}
		})
	}
}

// FuzzVerifyQuote: no input panics ParseQuote, Fields or VerifyQuote, and a v4 quote
// VerifyQuote passes is one go-tdx-guest's TdxQuote passes too, but for the padding after the
// chain that cvmscope accepts on purpose (TestChainRewritesAgreeWithGoTDXGuest).
func FuzzVerifyQuote(f *testing.F) {
	for _, file := range []string{azureQuoteFile, dcapQuoteFile} {
		f.Add(readReal(f, file))
	}
	roots, err := parsePEMChain(readReal(f, "intel-sgx-root-ca.pem"))
	if err != nil {
		f.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(roots[0])
	now := collateralDate
	f.Fuzz(func(t *testing.T, raw []byte) {
		q, err := ParseQuote(raw)
		if err != nil {
			return
		}
		q.Fields()
		c := VerifyQuote(q, Options{Now: now})
		if c.Verdict != check.Pass || q.Version != 4 {
			return
		}
		chain := q.Raw[q.chainOff:]
		if pad := chain[bytes.LastIndex(chain, []byte("-----END CERTIFICATE-----"))+25:]; len(pad) > 1 || len(pad) == 1 && pad[0] != 0 {
			return
		}
		if err := verify.TdxQuote(q.Proto, &verify.Options{TrustedRoots: pool,
			Now: &verify.TimeSet{PckCertChain: now, TcbInfo: now, QeIdentity: now, PckCrl: now, RootCaCrl: now}}); err != nil {
			t.Errorf("cvmscope passes a quote go-tdx-guest refuses: %v", err)
		}
	})
}

// TestLastChainCarriesNoVerdict: the last-chain cache hands a quote the certificates parsed
// from the same chain bytes, never another quote's verdict: quotes sharing a chain, with a
// changed body, a changed QE report or another attestation key, are each judged on their
// own bytes, whichever was parsed before.
func TestLastChainCarriesNoVerdict(t *testing.T) {
	good := readReal(t, azureQuoteFile)
	q0, err := ParseQuote(good)
	if err != nil {
		t.Fatal(err)
	}
	flip := func(off int) []byte { b := slices.Clone(good); b[off] ^= 1; return b }
	signedOff := q0.sigSizeOff + 4
	quotes := []struct {
		name string
		raw  []byte
		want check.Verdict
	}{
		{"good", good, check.Pass},
		{"body changed", flip(quoteBodyOff + 100), check.Fail},
		{"good again", good, check.Pass},
		{"QE report changed", flip(q0.certDataOff + 10), check.Fail},
		{"attestation key changed", flip(signedOff + 70), check.Fail},
		{"good once more", good, check.Pass},
	}
	for round := range 2 {
		for _, qc := range quotes {
			q, err := ParseQuote(qc.raw)
			if err != nil {
				t.Fatalf("%s: %v", qc.name, err)
			}
			if !bytes.Equal(q.Raw[q.chainOff:], q0.Raw[q0.chainOff:]) {
				t.Fatalf("%s: the chain bytes differ; the test needs them shared", qc.name)
			}
			if c := VerifyQuote(q, Options{Now: collateralDate}); c.Verdict != qc.want {
				t.Errorf("round %d, %s: %v %s, want %v", round, qc.name, c.Verdict, c.Summary, qc.want)
			}
		}
	}
}
