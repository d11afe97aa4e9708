// Package pki gives a verdict on certificates, CRLs and Intel collateral that arrive without
// the evidence they vouch for: an AMD ARK/ASK/VCEK/VLEK bundle, an Intel PCK or TCB signing
// chain, a CRL, Intel's TCB info or QE identity.
//
// Trust comes only from the built-in roots (AMD's ARKs as go-sev-guest embeds them, Intel's
// SGX Root CA recognised by its pinned fingerprint) and the extra roots the caller passes
// (the simulated CVM's, with --trust-simulated); a file never brings its own anchor.
package pki

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"maps"
	"math/big"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/internal/certs"
	"github.com/google/go-sev-guest/verify/trust"
)

// Check ids.
const (
	IDChain           = "certs.chain"
	IDCRLSignature    = "crl.signature"
	IDCRLFresh        = "crl.fresh"
	IDCollateralSig   = "tdx.collateral.signature"
	IDCollateralFresh = "tdx.collateral.fresh"
)

// Input is what was given alone.
type Input struct {
	Certs []*x509.Certificate
	// CRLs are DER.
	CRLs [][]byte
	// TCBInfo and QEIdentity are Intel PCS's JSON documents.
	TCBInfo, QEIdentity []byte
	Now                 time.Time
	// Extra are roots the caller trusts beyond AMD's and Intel's (never from the files).
	Extra []*x509.Certificate
	// Known are certificates that may have issued a CRL or signed collateral but that are
	// judged with the report they came with, not here (a VCEK chain beside its report).
	Known []*x509.Certificate
}

// intelRootPEM is Intel's SGX Root CA as go-tdx-guest embeds it (verify/trusted_root.pem),
// which that package does not export; its fingerprint is the one the TD quote checks pin
// (TestIntelRootIsPinned). It signs Intel's root CA CRL and every Intel chain.
//
//go:embed intel_sgx_root_ca.pem
var intelRootPEM []byte

var intelRoot = sync.OnceValue(func() *x509.Certificate {
	if blk, _ := pem.Decode(intelRootPEM); blk != nil {
		if c, err := x509.ParseCertificate(blk.Bytes); err == nil {
			return c
		}
	}
	return nil
})

// anchors are the trusted roots with their names, and the vendors' intermediates that may
// complete a chain given without them.
type anchors struct {
	roots         *x509.CertPool
	rootCerts     []*x509.Certificate
	intermediates []*x509.Certificate
	names         map[string]string // root's raw certificate → "AMD's ARK-Milan as embedded in go-sev-guest"
	namesKO       map[string]string
}

func (a *anchors) add(c *x509.Certificate, name, ko string) {
	a.roots.AddCert(c)
	a.rootCerts = append(a.rootCerts, c)
	a.names[string(c.Raw)], a.namesKO[string(c.Raw)] = name, ko
}

// vendorAnchors are AMD's and Intel's, parsed once per process and only when something is
// judged here: most runs give a report or quote, whose own checks judge its chain.
var vendorAnchors = sync.OnceValue(func() *anchors {
	a := &anchors{roots: x509.NewCertPool(), names: map[string]string{}, namesKO: map[string]string{}}
	for _, pl := range []string{"Milan", "Genoa", "Turin"} {
		if rc, err := trust.GetDefaultRootCerts(pl); err == nil && rc.ProductCerts != nil && rc.ProductCerts.Ark != nil {
			cn := rc.ProductCerts.Ark.Subject.CommonName
			a.add(rc.ProductCerts.Ark, "AMD's "+cn+" as embedded in go-sev-guest", "go-sev-guest에 내장된 AMD "+cn)
			a.intermediates = append(a.intermediates, rc.ProductCerts.Ask)
		}
	}
	for pl, b := range map[string][]byte{"Milan": trust.AskArkMilanVlekBytes, "Genoa": trust.AskArkGenoaVlekBytes, "Turin": trust.AskArkTurinVlekBytes} {
		rc := trust.AMDRootCertsProduct(pl)
		if err := rc.FromKDSCertBytes(b); err == nil && rc.ProductCerts.Asvk != nil {
			a.intermediates = append(a.intermediates, rc.ProductCerts.Asvk)
		}
	}
	if r := intelRoot(); r != nil {
		a.add(r, "Intel's SGX Root CA (built in, pinned fingerprint)", "Intel SGX Root CA(내장, 고정된 지문)")
	}
	return a
})

// builtIn is the vendors' anchors and the caller's extra roots and intermediates.
func builtIn(extra []*x509.Certificate) *anchors {
	v := vendorAnchors()
	a := &anchors{roots: v.roots.Clone(), rootCerts: slices.Clone(v.rootCerts), intermediates: slices.Clone(v.intermediates),
		names: maps.Clone(v.names), namesKO: maps.Clone(v.namesKO)}
	for _, c := range extra {
		if c != nil && bytes.Equal(c.RawIssuer, c.RawSubject) {
			a.add(c, c.Subject.CommonName+" (trusted by your choice: --trust-simulated or --vtpm-root)", c.Subject.CommonName+"(직접 신뢰를 선택함: --trust-simulated 또는 --vtpm-root)")
		} else if c != nil {
			a.intermediates = append(a.intermediates, c)
		}
	}
	return a
}

// Checks gives every piece of in its verdicts.
func Checks(in Input) check.List {
	if len(in.Certs) == 0 && len(in.CRLs) == 0 && len(in.TCBInfo) == 0 && len(in.QEIdentity) == 0 {
		return nil // nothing to judge: no anchors needed
	}
	if in.Now.IsZero() {
		in.Now = time.Now()
	}
	a := builtIn(in.Extra)
	crls := parseCRLs(in.CRLs)
	var out check.List
	for _, leaf := range leaves(in.Certs) {
		out = append(out, chainCheck(leaf, in, a, crls))
	}
	for _, c := range crls {
		out = append(out, crlChecks(c, in, a)...)
	}
	if len(in.TCBInfo) > 0 {
		out = append(out, collateralChecks(in.TCBInfo, "tcbInfo", "TCB info", "TCB 정보", "TCB-Info-Issuer-Chain", in, a)...)
	}
	if len(in.QEIdentity) > 0 {
		out = append(out, collateralChecks(in.QEIdentity, "enclaveIdentity", "QE identity", "QE identity", "SGX-Enclave-Identity-Issuer-Chain", in, a)...)
	}
	return out
}

// leaves are the given certificates that issued none of the others: each is the end of one
// chain to check (a bundle of ASK and ARK has the ASK as its leaf).
func leaves(cs []*x509.Certificate) []*x509.Certificate {
	var out []*x509.Certificate
	for _, c := range cs {
		issues := false
		for _, o := range cs {
			if o != c && bytes.Equal(o.RawIssuer, c.RawSubject) && !bytes.Equal(o.RawIssuer, o.RawSubject) {
				issues = true
			}
		}
		if !issues {
			out = append(out, c)
		}
	}
	return out
}

type crl struct {
	der []byte
	l   *x509.RevocationList
}

func parseCRLs(ders [][]byte) []crl {
	var out []crl
	for _, d := range ders {
		if l, err := x509.ParseRevocationList(d); err == nil {
			out = append(out, crl{d, l})
		}
	}
	return out
}

func name(c *x509.Certificate) string {
	if c.Subject.CommonName != "" {
		return c.Subject.CommonName
	}
	return c.Subject.String()
}

func chainCheck(leaf *x509.Certificate, in Input, a *anchors, crls []crl) check.Check {
	inter := x509.NewCertPool()
	for _, c := range append(append([]*x509.Certificate(nil), in.Certs...), a.intermediates...) {
		if c != nil && !bytes.Equal(c.RawIssuer, c.RawSubject) {
			inter.AddCert(c)
		}
	}
	opts := x509.VerifyOptions{Roots: a.roots, Intermediates: inter, CurrentTime: in.Now, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}
	at := in.Now.UTC().Format(time.RFC3339)
	chains, err := leaf.Verify(opts)
	var inv x509.CertificateInvalidError
	if errors.As(err, &inv) && inv.Reason == x509.Expired {
		// Tell expiry from forgery: the chain is checked again inside its validity.
		opts.CurrentTime = inv.Cert.NotAfter.Add(-time.Minute)
		if inv.Cert.NotBefore.After(in.Now) {
			opts.CurrentTime = inv.Cert.NotBefore.Add(time.Minute)
		}
		if _, err2 := leaf.Verify(opts); err2 == nil {
			from, to := inv.Cert.NotBefore.UTC().Format(time.DateOnly), inv.Cert.NotAfter.UTC().Format(time.DateOnly)
			return check.Failf(IDChain, "%s: the chain verifies, but %q is valid %s to %s, not at %s", name(leaf), name(inv.Cert), from, to, at).
				KO("%s: 체인은 검증되지만 %q의 유효기간은 %s ~ %s이며 %s에는 유효하지 않습니다", name(leaf), name(inv.Cert), from, to, at).
				WithSubject(name(leaf)).
				WithDetail("what to do: fetch the current certificate from its vendor (AMD KDS, Intel PCS), or pass --now with the time the evidence was made",
					"조치 방법: 제조사(AMD KDS, Intel PCS)에서 최신 인증서를 받거나, 증거를 만든 시각을 --now로 넘깁니다")
		}
	}
	if err != nil {
		en := fmt.Sprintf("%s (issued by %q) does not chain to AMD's or Intel's roots: %v", name(leaf), leaf.Issuer.CommonName, err)
		ko := fmt.Sprintf("%s(발급자 %q)이(가) AMD나 Intel의 루트까지 이어지지 않습니다: %v", name(leaf), leaf.Issuer.CommonName, err)
		c := check.Failf(IDChain, "%s", en).KO("%s", ko).WithSubject(name(leaf))
		if simulated(in.Certs) {
			c = c.WithDetail("the chain is cvmscope's simulated one, trusted only with --trust-simulated (it proves nothing about real hardware)",
				"cvmscope의 시뮬레이션 체인이며 --trust-simulated를 줄 때만 신뢰합니다(실제 하드웨어에 대해서는 아무것도 증명하지 않습니다)")
		}
		return c
	}
	chain := chains[0]
	var path []string
	for _, c := range chain {
		path = append(path, name(c))
	}
	root := chain[len(chain)-1]
	c := check.Passf(IDChain, "%s verified to %s; every certificate valid at %s", strings.Join(path, " → "), a.names[string(root.Raw)], at).
		KO("%s을(를) %s까지 검증했습니다. 모든 인증서가 %s에 유효합니다", strings.Join(path, " → "), a.namesKO[string(root.Raw)], at).
		WithSubject(name(leaf))
	// Revocation, where a CRL from an issuer in the chain is given.
	checked := false
	for _, cert := range chain[:len(chain)-1] {
		for _, l := range crls {
			issuer := issuerIn(chain, l.l)
			if issuer == nil || !bytes.Equal(l.l.RawIssuer, cert.RawIssuer) {
				continue
			}
			checked = true
			if l.l.CheckSignatureFrom(issuer) != nil {
				continue // crl.signature fails it on its own
			}
			for _, e := range l.l.RevokedCertificateEntries {
				if e.SerialNumber.Cmp(cert.SerialNumber) == 0 {
					return check.Failf(IDChain, "%s is revoked: %q lists serial %s (revoked %s)", name(cert), name(issuer), hexSerial(cert.SerialNumber), e.RevocationTime.UTC().Format(time.DateOnly)).
						KO("%s이(가) 폐기되었습니다. %q의 CRL에 일련번호 %s가 있습니다(폐기 %s)", name(cert), name(issuer), hexSerial(cert.SerialNumber), e.RevocationTime.UTC().Format(time.DateOnly)).
						WithSubject(name(leaf))
				}
			}
			c = c.WithDetail(fmt.Sprintf("%s: not revoked in the CRL of %q (this update %s)", name(cert), name(issuer), l.l.ThisUpdate.UTC().Format(time.DateOnly)),
				fmt.Sprintf("%s: %q의 CRL(이번 갱신 %s)에 폐기되어 있지 않습니다", name(cert), name(issuer), l.l.ThisUpdate.UTC().Format(time.DateOnly)))
		}
	}
	if !checked {
		c = c.WithDetail("revocation not checked: no CRL from an issuer in this chain was given", "이 체인의 발급자가 낸 CRL이 주어지지 않아 폐기 여부를 확인하지 않았습니다")
	}
	return c
}

func hexSerial(n *big.Int) string { return fmt.Sprintf("%x", n) }

func issuerIn(chain []*x509.Certificate, l *x509.RevocationList) *x509.Certificate {
	for _, c := range chain {
		if bytes.Equal(c.RawSubject, l.RawIssuer) {
			return c
		}
	}
	return nil
}

func simulated(cs []*x509.Certificate) bool {
	for _, c := range cs {
		if certs.SaysSimulated(c) {
			return true
		}
	}
	return false
}

// pool is every certificate a signature may come from: the files', the ones known from
// the evidence beside them, the caller's roots and the built-in ones.
func (a *anchors) pool(in Input) []*x509.Certificate {
	var out []*x509.Certificate
	for _, l := range [][]*x509.Certificate{in.Certs, in.Known, in.Extra, a.intermediates, a.rootCerts} {
		for _, c := range l {
			if c != nil {
				out = append(out, c)
			}
		}
	}
	return out
}

// vouch says whether cert, whose key made a signature at the time at, is one the caller
// trusts: a root they chose (built in or --trust-simulated) or a certificate that chained to
// one when it signed. Only then does a verified signature mean anything.
func (a *anchors) vouch(cert *x509.Certificate, in Input, at time.Time) (en, ko string, err error) {
	if n, ok := a.names[string(cert.Raw)]; ok {
		return n, a.namesKO[string(cert.Raw)], nil
	}
	inter := x509.NewCertPool()
	for _, c := range a.pool(in) {
		if !bytes.Equal(c.RawIssuer, c.RawSubject) {
			inter.AddCert(c)
		}
	}
	chains, err := cert.Verify(x509.VerifyOptions{Roots: a.roots, Intermediates: inter, CurrentTime: at, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	if err != nil {
		return "", "", err
	}
	// The path ends in the anchor's own name, which says why it is trusted.
	chain := chains[0]
	var path []string
	for _, c := range chain[:len(chain)-1] {
		path = append(path, name(c)+" → ")
	}
	root := string(chain[len(chain)-1].Raw)
	return strings.Join(path, "") + a.names[root], strings.Join(path, "") + a.namesKO[root], nil
}

// missingIssuer says which certificate to give for a CRL whose issuer is nowhere: Intel PCS
// sends the PCK CRL's issuer chain in a header, and a TD quote carries the same chain.
func missingIssuer(iss string) (en, ko string) {
	if strings.Contains(iss, "PCK") {
		return "give the PCK chain as a PEM file alongside (Intel PCS's SGX-PCK-CRL-Issuer-Chain header, saved as it is, or the chain in a TD quote)",
			"PCK 체인을 PEM 파일로 함께 줍니다(Intel PCS의 SGX-PCK-CRL-Issuer-Chain 헤더를 그대로 저장한 것, 또는 TD 쿼트 안의 체인)"
	}
	return "give its certificate with its chain (PEM) alongside",
		"발급자 인증서를 체인과 함께(PEM) 줍니다"
}

func crlChecks(l crl, in Input, a *anchors) check.List {
	iss := l.l.Issuer.CommonName
	if iss == "" {
		iss = l.l.Issuer.String()
	}
	var named, signer *x509.Certificate
	for _, c := range a.pool(in) {
		if bytes.Equal(c.RawSubject, l.l.RawIssuer) {
			named = c
			if l.l.CheckSignatureFrom(c) == nil {
				signer = c
				break
			}
		}
	}
	var sig check.Check
	switch {
	case named == nil:
		en, ko := missingIssuer(iss)
		sig = check.Failf(IDCRLSignature, "the CRL cannot be checked: its issuer's certificate is neither given nor built in; %s", en).
			KO("CRL을 검증할 수 없습니다. 발급자 인증서가 주어지지도, 내장되어 있지도 않습니다. %s", ko)
	case signer == nil:
		err := l.l.CheckSignatureFrom(named)
		sig = check.Failf(IDCRLSignature, "the CRL does not verify with %q's key: %v; it was altered or another key signed it", name(named), err).
			KO("CRL이 %q의 키로 검증되지 않습니다: %v. 변조되었거나 다른 키가 서명했습니다", name(named), err)
	default:
		at := l.l.ThisUpdate
		if en, ko, err := a.vouch(signer, in, at); err != nil {
			sig = check.Failf(IDCRLSignature, "the CRL is signed by %q, but that certificate does not chain to AMD's or Intel's roots (as of the CRL's date, %s): %v", name(signer), at.UTC().Format(time.DateOnly), err).
				KO("CRL은 %q의 서명을 받았지만 그 인증서가 AMD나 Intel의 루트까지 이어지지 않습니다(CRL 날짜 %s 기준): %v", name(signer), at.UTC().Format(time.DateOnly), err)
		} else {
			sig = check.Passf(IDCRLSignature, "the CRL is signed by its issuer: %s", en).
				KO("CRL이 발급자의 서명을 받았습니다: %s", ko)
		}
	}
	sig = sig.WithSubject(iss)
	this, next, at := l.l.ThisUpdate.UTC().Format(time.DateOnly), l.l.NextUpdate.UTC().Format(time.DateOnly), in.Now.UTC().Format(time.RFC3339)
	var fresh check.Check
	switch {
	case in.Now.Before(l.l.ThisUpdate):
		fresh = check.Failf(IDCRLFresh, "the CRL was issued %s, after %s: check --now", this, at).
			KO("CRL은 %s에 발행되어 %s보다 나중입니다. --now를 확인합니다", this, at)
	case !l.l.NextUpdate.IsZero() && in.Now.After(l.l.NextUpdate):
		fresh = check.Failf(IDCRLFresh, "the CRL is stale: its next update was due %s, before %s; fetch the current one", next, at).
			KO("CRL이 오래되었습니다. 다음 갱신 예정일 %s이 %s보다 이릅니다. 최신 CRL을 받습니다", next, at)
	default:
		fresh = check.Passf(IDCRLFresh, "the CRL is current at %s (this update %s, next %s), listing %d certificates", at, this, next, len(l.l.RevokedCertificateEntries)).
			KO("CRL이 %s에 유효합니다(이번 갱신 %s, 다음 %s). 인증서 %d개가 올라 있습니다", at, this, next, len(l.l.RevokedCertificateEntries))
	}
	return check.List{sig, fresh.WithSubject(iss)}
}

// collateralChecks verifies one Intel PCS document: its ECDSA signature over the body
// bytes exactly as served, by a certificate given beside it that chains to a trusted Intel
// root, and whether it is current.
func collateralChecks(doc []byte, key, what, whatKO, header string, in Input, a *anchors) check.List {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(doc, &raw); err != nil {
		return check.List{check.Failf(IDCollateralSig, "%s is not JSON: %v", what, err).KO("%s가 JSON이 아닙니다: %v", whatKO, err).WithSubject(what)}
	}
	body := raw[key]
	var dates struct {
		IssueDate  time.Time `json:"issueDate"`
		NextUpdate time.Time `json:"nextUpdate"`
	}
	_ = json.Unmarshal(body, &dates)
	var sigHex string
	_ = json.Unmarshal(raw["signature"], &sigHex)
	rs, err := hex.DecodeString(sigHex)
	// The document does not name its signer: every given certificate with an ECDSA key is
	// tried, and the one that verifies must then chain to a root the caller trusts.
	var tried []string
	var signer *x509.Certificate
	for _, l := range [][]*x509.Certificate{in.Certs, in.Known, in.Extra} {
		for _, c := range l {
			pub, ok := c.PublicKey.(*ecdsa.PublicKey)
			if !ok || signer != nil || len(rs) != 64 {
				continue
			}
			tried = append(tried, fmt.Sprintf("%q", name(c)))
			h := sha256.Sum256(body)
			if ecdsa.Verify(pub, h[:], new(big.Int).SetBytes(rs[:32]), new(big.Int).SetBytes(rs[32:])) {
				signer = c
			}
		}
	}
	give := fmt.Sprintf("give Intel's TCB signing chain as a PEM file alongside (Intel PCS's %s header, saved as it is)", header)
	giveKO := fmt.Sprintf("Intel TCB 서명 체인을 PEM 파일로 함께 줍니다(Intel PCS의 %s 헤더를 그대로 저장한 것)", header)
	var sig check.Check
	switch {
	case len(body) == 0 || err != nil || len(rs) != 64:
		sig = check.Failf(IDCollateralSig, "%s: no %q object with a 64-byte hex \"signature\"; is it the file Intel PCS served?", what, key).
			KO("%s: %q 객체와 64바이트 hex \"signature\"가 없습니다. Intel PCS가 준 파일인지 확인합니다", whatKO, key)
	case len(tried) == 0:
		sig = check.Failf(IDCollateralSig, "%s's signature cannot be checked without its signer: %s", what, give).
			KO("서명한 인증서가 없어 %s의 서명을 검증할 수 없습니다. %s", whatKO, giveKO)
	case signer == nil:
		sig = check.Failf(IDCollateralSig, "%s's signature verifies with none of the given certificates (%s): the document was altered or another key signed it; %s", what, strings.Join(tried, ", "), give).
			KO("%s의 서명이 주어진 인증서(%s) 어느 것으로도 검증되지 않습니다. 문서가 변조되었거나 다른 키가 서명했습니다. %s", whatKO, strings.Join(tried, ", "), giveKO)
	default:
		at := dates.IssueDate
		if at.IsZero() {
			at = in.Now
		}
		if en, ko, err := a.vouch(signer, in, at); err != nil {
			sig = check.Failf(IDCollateralSig, "%s is signed by %q, but that certificate does not chain to Intel's root (as of the document's date, %s): %v", what, name(signer), at.UTC().Format(time.DateOnly), err).
				KO("%s은(는) %q의 서명을 받았지만 그 인증서가 Intel 루트까지 이어지지 않습니다(문서 날짜 %s 기준): %v", whatKO, name(signer), at.UTC().Format(time.DateOnly), err)
		} else {
			sig = check.Passf(IDCollateralSig, "%s is signed by %s", what, en).
				KO("%s은(는) 다음의 서명을 받았습니다: %s", whatKO, ko)
		}
	}
	at := in.Now.UTC().Format(time.RFC3339)
	var fresh check.Check
	switch {
	case dates.NextUpdate.IsZero():
		fresh = check.Failf(IDCollateralFresh, "%s has no nextUpdate date, so its freshness cannot be judged", what).KO("%s에 nextUpdate 날짜가 없어 최신인지 판단할 수 없습니다", whatKO)
	case in.Now.After(dates.NextUpdate):
		fresh = check.Failf(IDCollateralFresh, "%s is stale: issued %s, next update due %s, before %s; fetch current collateral from Intel PCS", what,
			dates.IssueDate.UTC().Format(time.DateOnly), dates.NextUpdate.UTC().Format(time.DateOnly), at).
			KO("%s이(가) 오래되었습니다. 발행 %s, 다음 갱신 예정 %s로 %s보다 이릅니다. Intel PCS에서 최신 collateral을 받습니다", whatKO,
				dates.IssueDate.UTC().Format(time.DateOnly), dates.NextUpdate.UTC().Format(time.DateOnly), at)
	case in.Now.Before(dates.IssueDate):
		fresh = check.Failf(IDCollateralFresh, "%s was issued %s, after %s: check --now", what, dates.IssueDate.UTC().Format(time.DateOnly), at).
			KO("%s은(는) %s에 발행되어 %s보다 나중입니다. --now를 확인합니다", whatKO, dates.IssueDate.UTC().Format(time.DateOnly), at)
	default:
		fresh = check.Passf(IDCollateralFresh, "%s is current at %s (issued %s, next update %s)", what, at, dates.IssueDate.UTC().Format(time.DateOnly), dates.NextUpdate.UTC().Format(time.DateOnly)).
			KO("%s이(가) %s에 최신입니다(발행 %s, 다음 갱신 %s)", whatKO, at, dates.IssueDate.UTC().Format(time.DateOnly), dates.NextUpdate.UTC().Format(time.DateOnly))
	}
	return check.List{sig.WithSubject(what), fresh.WithSubject(what)}
}
