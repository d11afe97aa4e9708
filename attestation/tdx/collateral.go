package tdx

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/internal/certs"
	"time"

	"github.com/google/go-tdx-guest/abi"
	"github.com/google/go-tdx-guest/pcs"
)

// Collateral is Intel's TCB collateral as the files Intel PCS serves: the TDX TCB info
// (GET /tdx/certification/v4/tcb?fmspc=…), the TD_QE identity (GET …/qe/identity), the PEM
// chain from their TCB-Info-Issuer-Chain header, and optionally the PCK and root CRLs (DER).
type Collateral struct {
	TCBInfo, QEIdentity, SigningChain []byte
	PCKCRL, RootCRL                   []byte
}

// signedCollateral is a verified Intel collateral document.
type signedCollateral struct {
	tcb     pcs.TdxTcbInfo
	qe      pcs.QeIdentity
	signing *x509.Certificate
	root    *x509.Certificate
	// timeIssues are validity problems at opts.Now that do not make the signatures wrong.
	timeIssues []detail
	details    []detail
}

// splitSigned returns the exact bytes of the body named key and the decoded signature, as
// Intel signs the body bytes as served, not a re-serialization.
func splitSigned(doc []byte, key, file string) (body, sig []byte, err error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(doc, &raw); err != nil {
		return nil, nil, koErr("%s is not JSON: %v", "%s가 JSON이 아닙니다: %v", file, err)
	}
	body, ok := raw[key]
	if !ok {
		return nil, nil, koErr("%s has no %q object; is it the right file?", "%s에 %q 객체가 없습니다. 올바른 파일인지 확인합니다", file, key)
	}
	var sigHex string
	if err := json.Unmarshal(raw["signature"], &sigHex); err != nil {
		return nil, nil, koErr("%s: missing or non-string \"signature\"", "%s: \"signature\"가 없거나 문자열이 아닙니다", file)
	}
	rs, err := hex.DecodeString(sigHex)
	if err != nil || len(rs) != 64 {
		return nil, nil, koErr("%s: signature is not 64 bytes of hex (r||s)", "%s: 서명이 64바이트 hex(r||s)가 아닙니다", file)
	}
	der, err := abi.SignatureToDER(rs)
	if err != nil {
		return nil, nil, koErr("%s: signature: %v", "%s: 서명을 읽을 수 없습니다: %v", file, err)
	}
	return body, der, nil
}

// tcbSigningCN is the common name of Intel's TCB info and QE identity signer.
const tcbSigningCN = "Intel SGX TCB Signing"

func parsePEMChain(b []byte) ([]*x509.Certificate, error) { return certs.FromPEM(b) }

// verifyCollateral checks the signing chain and both signatures. Errors mean the collateral
// cannot be trusted at all; expiry at opts.Now is reported in timeIssues instead, so that the
// status can still be shown with a warning.
func verifyCollateral(c *Collateral, opts Options) (*signedCollateral, error) {
	if len(c.TCBInfo) == 0 || len(c.QEIdentity) == 0 || len(c.SigningChain) == 0 {
		return nil, koErr("collateral incomplete: TCB info, QE identity and the TCB signing chain are all needed",
			"collateral이 불완전합니다. TCB info, QE identity, TCB 서명 체인이 모두 필요합니다")
	}
	certs, err := parsePEMChain(c.SigningChain)
	if err != nil {
		return nil, koErr("TCB signing chain: %v", "TCB 서명 체인을 읽을 수 없습니다: %v", err)
	}
	sc := &signedCollateral{}
	for _, cert := range certs {
		if bytes.Equal(cert.RawIssuer, cert.RawSubject) {
			sc.root = cert
		} else if sc.signing == nil {
			sc.signing = cert
		}
	}
	if sc.signing == nil || sc.root == nil {
		return nil, koErr("TCB signing chain: need the signing certificate and its self-signed root", "TCB 서명 체인: 서명 인증서와 자체 서명된 루트가 모두 필요합니다")
	}
	// Intel's profile for the collateral signer, as go-tdx-guest and Intel's QVL hold it: a
	// PCK certificate (or any other certificate Intel's root issued) must not sign TCB info.
	if k, _ := sc.signing.PublicKey.(*ecdsa.PublicKey); sc.signing.Subject.CommonName != tcbSigningCN || k == nil || k.Curve != elliptic.P256() {
		return nil, koErr("TCB signing chain: the signing certificate is %q with a %T key, not %q with an ECDSA P-256 key",
			"TCB 서명 체인: 서명 인증서가 %[3]q(ECDSA P-256 키)가 아니라 %[1]q(%[2]T 키)입니다", sc.signing.Subject.CommonName, sc.signing.PublicKey, tcbSigningCN)
	}
	pool, _, err := opts.anchor(sc.root)
	if err != nil {
		return nil, fault.Korean(fmt.Errorf("TCB signing chain: %v", err), "TCB 서명 체인: "+inKorean(err), "")
	}
	now := opts.now()
	if _, err := chainName(sc.signing, nil, pool, now); err != nil {
		var inv x509.CertificateInvalidError
		if !errors.As(err, &inv) || inv.Reason != x509.Expired {
			return nil, koErr("TCB signing certificate %q does not chain to the trusted root: %v", "TCB 서명 인증서 %q가 신뢰 루트까지 이어지지 않습니다: %v", sc.signing.Subject.CommonName, err)
		}
		// Check the chain inside the certificate's validity to tell expiry from forgery.
		inside := sc.signing.NotAfter.Add(-time.Minute)
		if _, err2 := chainName(sc.signing, nil, pool, inside); err2 != nil {
			return nil, koErr("TCB signing certificate %q does not chain to the trusted root: %v", "TCB 서명 인증서 %q가 신뢰 루트까지 이어지지 않습니다: %v", sc.signing.Subject.CommonName, err2)
		}
		cn, from, to, at := sc.signing.Subject.CommonName, sc.signing.NotBefore.UTC().Format(time.DateOnly), sc.signing.NotAfter.UTC().Format(time.DateOnly), now.UTC().Format(time.DateOnly)
		sc.timeIssues = append(sc.timeIssues, detail{
			fmt.Sprintf("TCB signing certificate %q is valid %s to %s, not at %s; fetch current collateral from Intel PCS", cn, from, to, at),
			fmt.Sprintf("TCB 서명 인증서 %q의 유효기간은 %s ~ %s이며 %s에는 유효하지 않습니다. Intel PCS에서 최신 collateral을 가져옵니다", cn, from, to, at)})
	}

	body, sig, err := splitSigned(c.TCBInfo, "tcbInfo", "TCB info")
	if err != nil {
		return nil, err
	}
	if err := sc.signing.CheckSignature(x509.ECDSAWithSHA256, body, sig); err != nil {
		return nil, koErr("TCB info signature does not verify with %q: %v", "TCB info 서명이 %q로 검증되지 않습니다: %v", sc.signing.Subject.CommonName, err)
	}
	if err := json.Unmarshal(c.TCBInfo, &sc.tcb); err != nil {
		return nil, koErr("TCB info: %v", "TCB info를 읽을 수 없습니다: %v", err)
	}
	body, sig, err = splitSigned(c.QEIdentity, "enclaveIdentity", "QE identity")
	if err != nil {
		return nil, err
	}
	if err := sc.signing.CheckSignature(x509.ECDSAWithSHA256, body, sig); err != nil {
		return nil, koErr("QE identity signature does not verify with %q: %v", "QE identity 서명이 %q로 검증되지 않습니다: %v", sc.signing.Subject.CommonName, err)
	}
	if err := json.Unmarshal(c.QEIdentity, &sc.qe); err != nil {
		return nil, koErr("QE identity: %v", "QE identity를 읽을 수 없습니다: %v", err)
	}

	ti, qi := sc.tcb.TcbInfo, sc.qe.EnclaveIdentity
	if ti.ID != "TDX" || ti.Version != 3 {
		return nil, koErr("TCB info is %q version %d; want TDX TCB info version 3 (the /tdx/certification/v4/tcb endpoint)",
			"TCB info가 %q 버전 %d입니다. TDX TCB info 버전 3(/tdx/certification/v4/tcb 엔드포인트)이어야 합니다", ti.ID, ti.Version)
	}
	if qi.ID != "TD_QE" || qi.Version != 2 {
		return nil, koErr("QE identity is %q version %d; want TD_QE identity version 2 (the /tdx/certification/v4/qe/identity endpoint)",
			"QE identity가 %q 버전 %d입니다. TD_QE identity 버전 2(/tdx/certification/v4/qe/identity 엔드포인트)여야 합니다", qi.ID, qi.Version)
	}
	for _, d := range []struct {
		name        string
		issue, next time.Time
	}{{"TCB info", ti.IssueDate, ti.NextUpdate}, {"QE identity", qi.IssueDate, qi.NextUpdate}} {
		if now.Before(d.issue) || now.After(d.next) {
			issued, next, at := d.issue.UTC().Format(time.RFC3339), d.next.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339)
			sc.timeIssues = append(sc.timeIssues, detail{
				fmt.Sprintf("%s was issued %s and is current until %s, not at %s", d.name, issued, next, at),
				fmt.Sprintf("%s는 %s에 발행되어 %s까지 유효하며, %s에는 유효하지 않습니다", d.name, issued, next, at)})
		}
	}
	tiIssued, qiIssued := ti.IssueDate.UTC().Format(time.DateOnly), qi.IssueDate.UTC().Format(time.DateOnly)
	sc.details = append(sc.details,
		detail{fmt.Sprintf("TCB info: FMSPC %s, evaluation data number %d, issued %s; signature by %q verified", ti.Fmspc, ti.TcbEvaluationDataNumber, tiIssued, sc.signing.Subject.CommonName),
			fmt.Sprintf("TCB info: FMSPC %s, 평가 데이터 번호 %d, %s 발행. %q의 서명을 검증했습니다", ti.Fmspc, ti.TcbEvaluationDataNumber, tiIssued, sc.signing.Subject.CommonName)},
		detail{fmt.Sprintf("QE identity: evaluation data number %d, issued %s; signature verified", qi.TcbEvaluationDataNumber, qiIssued),
			fmt.Sprintf("QE identity: 평가 데이터 번호 %d, %s 발행. 서명을 검증했습니다", qi.TcbEvaluationDataNumber, qiIssued)},
	)
	return sc, nil
}
