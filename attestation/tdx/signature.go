package tdx

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/cvmscope/cvmscope/attestation/internal/certs"
	"time"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/fault"
)

// Check IDs reported by this package.
const (
	CheckSignature     = "tdx.quote.signature"
	CheckMatchesReport = "tdx.quote.matches-report"
	CheckTCB           = "tdx.tcb"
)

// IntelSGXRootSHA256 is the SHA-256 fingerprint of Intel's SGX Root CA certificate, the same
// certificate go-tdx-guest embeds. Pinning the fingerprint lets the root that every quote
// carries serve as the trust anchor without shipping a copy of it.
const IntelSGXRootSHA256 = "44a0196b2b99f889b8e149e95b807a350e7424964399e885a7cbb8ccfab674d3"

// Options control verification. The zero value verifies offline against Intel's SGX root at
// the current time and leaves the TCB status unevaluated.
type Options struct {
	// Now is the time at which certificates and collateral must be valid; zero means now.
	Now time.Time
	// TrustedRoots replaces Intel's SGX Root CA as the anchor of the PCK chain and of the
	// collateral signing chain (the simulated CVM has its own root).
	TrustedRoots *x509.CertPool
	// ExtraRoots are trusted in addition to Intel's SGX Root CA: a chain whose root is
	// byte-identical to one of them is accepted. The caller chooses them (the simulated
	// CVM's test root, when the user trusts it); a quote never brings its own.
	ExtraRoots []*x509.Certificate
	// Collateral is Intel's signed TCB info and QE identity; nil skips tdx.tcb.
	Collateral *Collateral
	// Baseline is the relying party's TCB baseline date (--tcb-baseline, ApplyBaseline);
	// zero leaves Intel's status as it is.
	Baseline time.Time
}

func (o Options) now() time.Time {
	if o.Now.IsZero() {
		return time.Now()
	}
	return o.Now
}

// anchor returns the root pool for the quote's chains and the anchor's name. Without
// configured roots the quote's own root is used only when it is Intel's SGX root.
func (o Options) anchor(root *x509.Certificate) (*x509.CertPool, string, error) {
	if o.TrustedRoots != nil {
		return o.TrustedRoots, "", nil
	}
	sum := sha256.Sum256(root.Raw)
	if got := hex.EncodeToString(sum[:]); got != IntelSGXRootSHA256 {
		for _, x := range o.ExtraRoots {
			if x != nil && x.Equal(root) {
				pool := x509.NewCertPool()
				pool.AddCert(x)
				return pool, "", nil
			}
		}
		en := fmt.Sprintf("the chain's root %q (SHA-256 %s) is not Intel's SGX Root CA (%s)", root.Subject.CommonName, got, IntelSGXRootSHA256)
		ko := fmt.Sprintf("체인의 루트 %q(SHA-256 %s)가 Intel SGX Root CA(%s)가 아닙니다", root.Subject.CommonName, got, IntelSGXRootSHA256)
		if certs.SaysSimulated(root) {
			en += "; it is cvmscope's simulated test root, trusted only when you ask for it (--trust-simulated)"
			ko += ". cvmscope의 시뮬레이션 테스트 루트이며, 요청할 때(--trust-simulated)만 신뢰합니다"
		}
		return nil, "", fault.Korean(errors.New(en), ko, "")
	}
	pool := x509.NewCertPool()
	pool.AddCert(root)
	return pool, root.Subject.CommonName, nil
}

// chainName verifies leaf with intermediate to pool at now and returns the root's name. A
// given intermediate must be the one that issued leaf: a leaf the root signed itself would
// otherwise verify beside a PCK CA nobody checked, whose CRL would then be the one judged.
// Extended key usages are held as go-tdx-guest holds them (x509's default: none, or server
// authentication); Intel's PCK and TCB signing certificates carry none.
func chainName(leaf, intermediate *x509.Certificate, pool *x509.CertPool, now time.Time) (string, error) {
	inter := x509.NewCertPool()
	if intermediate != nil {
		inter.AddCert(intermediate)
	}
	chains, err := leaf.Verify(x509.VerifyOptions{Roots: pool, Intermediates: inter, CurrentTime: now})
	if err != nil {
		return "", err
	}
	for _, c := range chains {
		if intermediate == nil || len(c) == 3 && c[1].Equal(intermediate) {
			return c[len(c)-1].Subject.CommonName, nil
		}
	}
	return "", koErr("%q was not issued by the chain's CA certificate %q but directly by the root; Intel's PCK PKI has a CA between them",
		"%q를 체인의 CA 인증서 %q가 아니라 루트가 직접 발급했습니다. Intel PCK PKI에는 그 사이에 CA가 있습니다", leaf.Subject.CommonName, intermediate.Subject.CommonName)
}

// VerifyQuote checks the quote's signature, the QE report's signature and its binding of the
// attestation key, and the PCK chain to the trusted root at opts.Now. It does not judge the
// TCB (see EvaluateTCB) and does not consult revocation lists.
func VerifyQuote(q *Quote, opts Options) check.Check {
	now := opts.now()
	pool, rootName, err := opts.anchor(q.Root)
	if err != nil {
		if certs.SaysSimulated(q.Root) {
			return check.Failf(CheckSignature, "the PCK chain ends at cvmscope's simulated Intel root, which is not trusted here: pass --trust-simulated to trust it (it proves nothing about real hardware)").
				KO("PCK 체인이 cvmscope의 시뮬레이션 Intel 루트에서 끝나며, 여기서는 신뢰하지 않습니다. 신뢰하려면 --trust-simulated를 넘깁니다(실제 하드웨어에 대해서는 아무것도 증명하지 않습니다)").
				WithDetail(err.Error(), inKorean(err))
		}
		return check.Failf(CheckSignature, "PCK chain does not end at a trusted root; quote not accepted").
			KO("PCK 체인이 신뢰 루트에서 끝나지 않아 쿼트를 받아들이지 않습니다").
			WithDetail(err.Error(), inKorean(err))
	}
	name, chainErr := chainName(q.PCK, q.Intermediate, pool, now)
	if opts.TrustedRoots != nil {
		// The chain ends at the configured root, not at the copy the quote carries; that
		// copy must still be that root, or the quote shows a root nobody verified.
		if _, err := q.Root.Verify(x509.VerifyOptions{Roots: pool, CurrentTime: now}); err != nil {
			return check.Failf(CheckSignature, "the root certificate the quote carries (%q) is not the trusted root: it was altered or belongs to another PKI (%v)", q.Root.Subject.CommonName, err).
				KO("쿼트에 담긴 루트 인증서(%q)가 신뢰 루트가 아닙니다. 변경되었거나 다른 PKI의 것입니다(%s)", q.Root.Subject.CommonName, inKorean(err))
		}
	}
	rootNameKO := rootName
	if rootName == "" {
		rootName, rootNameKO = name, name
		if rootName == "" {
			rootName, rootNameKO = "the configured root", "설정된 루트"
		}
	}
	if certs.SaysSimulated(q.Root) {
		// The simulated root carries Intel's exact name (checkChainProfile, go-tdx-guest); the summary
		// must never let it pass for Intel's.
		rootName = fmt.Sprintf("simulated test root %q (not Intel: proves nothing about real hardware)", q.Root.Subject.CommonName)
		rootNameKO = fmt.Sprintf("시뮬레이션 테스트 루트 %q(Intel이 아니므로 실제 하드웨어에 대해 아무것도 증명하지 않습니다)", q.Root.Subject.CommonName)
	}
	from, to := q.PCK.NotBefore.UTC().Format(time.DateOnly), q.PCK.NotAfter.UTC().Format(time.DateOnly)
	at := now.UTC().Format(time.RFC3339)
	details := []detail{
		{"PCK leaf: " + q.PCK.Subject.CommonName + " (FMSPC " + q.FMSPC() + "), valid " + from + " to " + to,
			fmt.Sprintf("PCK 리프 인증서: %q (FMSPC %s), 유효기간 %s ~ %s", q.PCK.Subject.CommonName, q.FMSPC(), from, to)},
		{"PCK CA: " + q.Intermediate.Subject.CommonName, fmt.Sprintf("PCK CA 인증서: %q", q.Intermediate.Subject.CommonName)},
		{"root: " + q.Root.Subject.CommonName, fmt.Sprintf("루트 인증서: %q", q.Root.Subject.CommonName)},
		{"checked at " + at, "검증 시점 " + at},
	}
	if q.Version >= 5 {
		details = append(details, detail{fmt.Sprintf("quote v5, body type %d: signature over bytes 0-%d (header, body descriptor, body)", q.BodyType, q.SignedRange()-1),
			fmt.Sprintf("쿼트 v5, 본문 유형 %d: 바이트 0-%d(헤더, 본문 설명자, 본문)에 대한 서명", q.BodyType, q.SignedRange()-1)})
	}
	if chainErr == nil {
		chainErr = checkChainProfile(q)
	}
	if err := verifySignatures(q, chainErr); err != nil {
		return withDetails(check.Failf(CheckSignature, "quote does not verify: %v", err).
			KO("쿼트가 검증되지 않습니다: %s", inKorean(err)), details)
	}
	return withDetails(check.Passf(CheckSignature, "quote signature, QE report signature and binding, PCK chain to %s; TCB status and revocation not evaluated", rootName).
		KO("쿼트 서명, QE 보고서 서명과 바인딩, %s까지의 PCK 체인을 검증했습니다. TCB 상태와 폐기 여부는 평가하지 않았습니다", rootNameKO), details)
}

// detail is one detail line in English and Korean.
type detail struct{ en, ko string }

// withDetails appends lines to c in both languages.
func withDetails(c check.Check, lines []detail) check.Check {
	for _, d := range lines {
		c = c.WithDetail(d.en, d.ko)
	}
	return c
}
