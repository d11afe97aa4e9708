package tdx

import (
	"bytes"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
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
	timeIssues []string
	details    []string
}

// splitSigned returns the exact bytes of the body named key and the decoded signature, as
// Intel signs the body bytes as served, not a re-serialization.
func splitSigned(doc []byte, key, file string) (body, sig []byte, err error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(doc, &raw); err != nil {
		return nil, nil, fmt.Errorf("%s is not JSON: %v", file, err)
	}
	body, ok := raw[key]
	if !ok {
		return nil, nil, fmt.Errorf("%s has no %q object; is it the right file?", file, key)
	}
	var sigHex string
	if err := json.Unmarshal(raw["signature"], &sigHex); err != nil {
		return nil, nil, fmt.Errorf("%s: missing or non-string \"signature\"", file)
	}
	rs, err := hex.DecodeString(sigHex)
	if err != nil || len(rs) != 64 {
		return nil, nil, fmt.Errorf("%s: signature is not 64 bytes of hex (r||s)", file)
	}
	der, err := abi.SignatureToDER(rs)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: signature: %v", file, err)
	}
	return body, der, nil
}

func parsePEMChain(b []byte) ([]*x509.Certificate, error) { return certs.FromPEM(b) }

// verifyCollateral checks the signing chain and both signatures. Errors mean the collateral
// cannot be trusted at all; expiry at opts.Now is reported in timeIssues instead, so that the
// status can still be shown with a warning.
func verifyCollateral(c *Collateral, opts Options) (*signedCollateral, error) {
	if len(c.TCBInfo) == 0 || len(c.QEIdentity) == 0 || len(c.SigningChain) == 0 {
		return nil, errors.New("collateral incomplete: TCB info, QE identity and the TCB signing chain are all needed")
	}
	certs, err := parsePEMChain(c.SigningChain)
	if err != nil {
		return nil, fmt.Errorf("TCB signing chain: %v", err)
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
		return nil, errors.New("TCB signing chain: need the signing certificate and its self-signed root")
	}
	pool, _, err := opts.anchor(sc.root)
	if err != nil {
		return nil, fmt.Errorf("TCB signing chain: %v", err)
	}
	now := opts.now()
	if _, err := chainName(sc.signing, nil, pool, now); err != nil {
		var inv x509.CertificateInvalidError
		if !errors.As(err, &inv) || inv.Reason != x509.Expired {
			return nil, fmt.Errorf("TCB signing certificate %q does not chain to the trusted root: %v", sc.signing.Subject.CommonName, err)
		}
		// Check the chain inside the certificate's validity to tell expiry from forgery.
		inside := sc.signing.NotAfter.Add(-time.Minute)
		if _, err2 := chainName(sc.signing, nil, pool, inside); err2 != nil {
			return nil, fmt.Errorf("TCB signing certificate %q does not chain to the trusted root: %v", sc.signing.Subject.CommonName, err2)
		}
		sc.timeIssues = append(sc.timeIssues, fmt.Sprintf("TCB signing certificate %q is valid %s to %s, not at %s; fetch current collateral from Intel PCS",
			sc.signing.Subject.CommonName, sc.signing.NotBefore.UTC().Format(time.DateOnly), sc.signing.NotAfter.UTC().Format(time.DateOnly), now.UTC().Format(time.DateOnly)))
	}

	body, sig, err := splitSigned(c.TCBInfo, "tcbInfo", "TCB info")
	if err != nil {
		return nil, err
	}
	if err := sc.signing.CheckSignature(x509.ECDSAWithSHA256, body, sig); err != nil {
		return nil, fmt.Errorf("TCB info signature does not verify with %q: %v", sc.signing.Subject.CommonName, err)
	}
	if err := json.Unmarshal(c.TCBInfo, &sc.tcb); err != nil {
		return nil, fmt.Errorf("TCB info: %v", err)
	}
	body, sig, err = splitSigned(c.QEIdentity, "enclaveIdentity", "QE identity")
	if err != nil {
		return nil, err
	}
	if err := sc.signing.CheckSignature(x509.ECDSAWithSHA256, body, sig); err != nil {
		return nil, fmt.Errorf("QE identity signature does not verify with %q: %v", sc.signing.Subject.CommonName, err)
	}
	if err := json.Unmarshal(c.QEIdentity, &sc.qe); err != nil {
		return nil, fmt.Errorf("QE identity: %v", err)
	}

	ti, qi := sc.tcb.TcbInfo, sc.qe.EnclaveIdentity
	if ti.ID != "TDX" || ti.Version != 3 {
		return nil, fmt.Errorf("TCB info is %q version %d; want TDX TCB info version 3 (the /tdx/certification/v4/tcb endpoint)", ti.ID, ti.Version)
	}
	if qi.ID != "TD_QE" || qi.Version != 2 {
		return nil, fmt.Errorf("QE identity is %q version %d; want TD_QE identity version 2 (the /tdx/certification/v4/qe/identity endpoint)", qi.ID, qi.Version)
	}
	for _, d := range []struct {
		name        string
		issue, next time.Time
	}{{"TCB info", ti.IssueDate, ti.NextUpdate}, {"QE identity", qi.IssueDate, qi.NextUpdate}} {
		if now.Before(d.issue) || now.After(d.next) {
			sc.timeIssues = append(sc.timeIssues, fmt.Sprintf("%s was issued %s and is current until %s, not at %s", d.name,
				d.issue.UTC().Format(time.RFC3339), d.next.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339)))
		}
	}
	sc.details = append(sc.details,
		fmt.Sprintf("TCB info: FMSPC %s, evaluation data number %d, issued %s; signature by %q verified", ti.Fmspc, ti.TcbEvaluationDataNumber, ti.IssueDate.UTC().Format(time.DateOnly), sc.signing.Subject.CommonName),
		fmt.Sprintf("QE identity: evaluation data number %d, issued %s; signature verified", qi.TcbEvaluationDataNumber, qi.IssueDate.UTC().Format(time.DateOnly)),
	)
	return sc, nil
}
