package tdx

import (
	"bytes"
	"crypto/x509"
	"encoding/binary"
	"encoding/pem"
	"slices"
	"testing"

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
