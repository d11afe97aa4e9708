package maaemu

import (
	"bytes"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"slices"
	"time"

	"github.com/cvmscope/cvmscope/attestation/akcert"
	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/hcl"
	"github.com/cvmscope/cvmscope/attestation/maa"
	"github.com/cvmscope/cvmscope/attestation/snp"
	"github.com/cvmscope/cvmscope/attestation/tdx"
	"github.com/cvmscope/cvmscope/attestation/tpmquote"
	"github.com/cvmscope/cvmscope/attestation/verify"
)

// Anchors are everything the emulator trusts and signs with. A request's own certificates
// are only ever intermediates to be checked against these.
type Anchors struct {
	// AMD is the ARK and ASK that VCEKs must chain to.
	AMD snp.Roots
	// PCKRoot is the root TD quotes' PCK chains must end at.
	PCKRoot *x509.Certificate
	// VTPMRoot and VTPMIntermediate are the CA that issues AK certificates.
	VTPMRoot, VTPMIntermediate *x509.Certificate
	// SigningKey and SigningCert sign tokens and are published at /certs (x5c).
	SigningKey  *rsa.PrivateKey
	SigningCert *x509.Certificate
	// TDXCollateral gives Intel's TCB info and QE identity for the platforms PCKRoot
	// certifies, signed under PCKRoot; TD quotes judged against it get attester_tcb_status.
	// It is asked for only when a TD quote's TCB is judged (the simulated collateral is
	// signed when made, and a SEV-SNP or Trusted Launch run never reads it). Nil, or a nil
	// answer, leaves the claim out rather than invent a verdict.
	TDXCollateral func() *tdx.Collateral
}

func (a Anchors) check() error {
	switch {
	case a.AMD.ARK == nil || a.AMD.ASK == nil:
		return fault.Errorf(fault.Internal, "MAA emulator: no AMD ARK/ASK configured to verify SEV-SNP evidence against")
	case a.PCKRoot == nil:
		return fault.Errorf(fault.Internal, "MAA emulator: no PCK root configured to verify TD quotes against")
	case a.VTPMRoot == nil || a.VTPMIntermediate == nil:
		return fault.Errorf(fault.Internal, "MAA emulator: no vTPM CA configured to verify AK certificates against")
	case a.SigningKey == nil || a.SigningCert == nil:
		return fault.Errorf(fault.Internal, "MAA emulator: no signing key configured")
	}
	return nil
}

// roots applies the configured anchors.
type roots struct{ Anchors }

// verifyOptions trusts the configured AMD and vTPM roots for verify.Evidence: without a
// vTPM root an AK that no verified report binds (TDX's quote is checked apart, Trusted
// Launch has none) fails ak.certificate.
func (r roots) verifyOptions(now time.Time) verify.Options {
	t := verify.Trust{AMD: []snp.Roots{r.AMD}}
	for _, c := range []*x509.Certificate{r.VTPMRoot, r.VTPMIntermediate} {
		if c != nil {
			t.VTPM = append(t.VTPM, c)
		}
	}
	return verify.Options{Now: now, Trust: t}
}

func (r roots) pckPool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(r.PCKRoot)
	return p
}

// akChain verifies the AK certificate up to the simulated vTPM root itself, as a provider
// does, whatever verify.Evidence's ak.certificate accepted (an intermediate alone, say).
func (r roots) akChain(der []byte, now time.Time) check.Check {
	cert, err := akcert.Parse(der)
	if err != nil {
		return check.Failf(akcert.ID, "AK certificate does not parse: %v", err)
	}
	inter := x509.NewCertPool()
	inter.AddCert(r.VTPMIntermediate)
	roots := x509.NewCertPool()
	roots.AddCert(r.VTPMRoot)
	// The AK certificate carries the TCG AIK key usage, not a TLS one.
	if _, err := cert.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: now,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		return check.Failf(akcert.ID, "AK certificate (issuer %q) does not chain to the simulated vTPM CA %q: %v",
			cert.Issuer.CommonName, r.VTPMRoot.Subject.CommonName, err)
	}
	return check.Passf(akcert.ID, "AK certificate chains through %q to %q (simulated vTPM CA)",
		r.VTPMIntermediate.Subject.CommonName, r.VTPMRoot.Subject.CommonName)
}

// akAttributes refuses an AK that is not a restricted signing key: only such a key
// guarantees that what it signs (quote, certify) was made by the TPM itself.
func akAttributes(akPub []byte) check.Check {
	pt, err := tpmquote.ParsePublicArea(akPub)
	if err != nil {
		return check.Failf("ak.parse", "AikPub: %v", err)
	}
	a := pt.ObjectAttributes
	if !a.Restricted || !a.SignEncrypt || !a.FixedTPM {
		return check.Failf("ak.parse", "AikPub is not a restricted signing key held in the TPM (restricted %t, sign %t, fixedTPM %t); it could sign structures the TPM never made",
			a.Restricted, a.SignEncrypt, a.FixedTPM)
	}
	return check.Passf("ak.parse", "AikPub is a restricted, fixedTPM signing key")
}

// bindingCheck compares SHA-256 of the runtime claims with REPORT_DATA[0:32] for a report
// that comes without an HCL header. The request does not say which hash the paravisor used
// (ReportDataHashType lives in the HCL header); Azure uses SHA-256, so that is assumed.
func bindingCheck(reportData, claims []byte) check.Check {
	sum := sha256.Sum256(claims)
	if len(reportData) >= len(sum) && bytes.Equal(reportData[:len(sum)], sum[:]) {
		return check.Passf(hcl.IDBinding, "SHA-256 of the %d-byte runtime claims equals REPORT_DATA[0:32]", len(claims))
	}
	return check.Failf(hcl.IDBinding, "SHA-256 of the %d-byte runtime claims differs from REPORT_DATA[0:32]: the hardware report does not vouch for these claims", len(claims)).
		WithDetails("SHA-256(claims) = "+hex.EncodeToString(sum[:]), "REPORT_DATA     = "+hex.EncodeToString(reportData))
}

// verifyTDQuote checks the quote to the simulated PCK root and its binding of the claims.
func (r roots) verifyTDQuote(raw, runtime []byte, now time.Time) (*tdx.Quote, check.List) {
	q, err := tdx.ParseQuote(raw)
	if err != nil {
		return nil, check.List{check.Failf("tdx.parse", "TD quote: %v", err)}
	}
	l := tdx.Verify(q, nil, tdx.Options{Now: now, TrustedRoots: r.pckPool()})
	if len(runtime) > 0 {
		l = append(l, bindingCheck(q.ReportData(), runtime))
	}
	return q, l
}

// rejected lists the failed checks, and every required check that did not pass (skipped
// or absent): evidence a provider could not verify is not evidence.
func rejected(l check.List, required []string) check.List {
	var bad check.List
	for _, c := range l {
		if c.Verdict == check.Fail {
			bad = append(bad, c)
		}
	}
	for _, id := range required {
		v := l.Verdict(id)
		if v == check.Pass || v == check.Warn || v == check.Fail {
			continue
		}
		why := "no such check ran"
		if f := l.Find(id); len(f) > 0 {
			why = f[0].Summary
		}
		bad = append(bad, check.Check{ID: id, Verdict: check.Fail, Summary: "required but not verified: " + why})
	}
	return bad
}

// guestEvidence is a verified AzureGuest request and what verification parsed.
type guestEvidence struct {
	req     *maa.ReceivedGuest
	res     *verify.Result
	encKey  *rsa.PublicKey
	pcrs    []int // the quoted PCRs
	checks  check.List
	tdQuote *tdx.Quote
	runtime []byte // the runtime claims as sent; nil for Trusted Launch
}

// verifyGuest runs every check MAA's AzureGuest flow implies and refuses the request when
// one fails or a required one could not run.
func (s *Server) verifyGuest(rg *maa.ReceivedGuest, now time.Time) (*guestEvidence, *apiError) {
	r := &rg.Request
	t := r.TPM
	set := &evidence.Set{Source: evidence.SourceFiles, AKPub: t.AikPub, AKCert: t.AikCert,
		Quote: &evidence.Quote{Msg: t.PcrQuote, Sig: t.PcrSignature}, PCRs: t.PCRs, QuotePCRs: t.PcrSet, EventLog: r.TcgLogs}
	ev := &guestEvidence{req: rg, pcrs: t.PcrSet}
	required := []string{"ak.parse", akcert.ID, tpmquote.IDSignature, tpmquote.IDPCRDigest, tpmquote.IDEncKeyCertify, tpmquote.IDEncKeyPolicy}
	var quote []byte
	switch iso := r.Isolation.(type) {
	case maa.SevSnp:
		certs, err := snp.ParseCerts([]byte(iso.VcekCertChain))
		if err != nil {
			return nil, invalidParameter("AttestationInfo.IsolationInfo.Evidence.Proof.VcekCertChain: %v", err)
		}
		for _, c := range certs {
			set.Certs = append(set.Certs, c.Raw)
		}
		set.TEE, set.SNPReport, set.RuntimeClaims = evidence.TEESEVSNP, iso.SnpReport, iso.RuntimeData
		ev.runtime = iso.RuntimeData
		required = append(required, snp.IDSignature, snp.IDChain, hcl.IDBinding, tpmquote.IDAKBinding)
	case maa.Tdx:
		// The quote is checked below against the simulated PCK root; verify.Evidence would
		// look for Intel's own root.
		set.TEE, set.RuntimeClaims = evidence.TEETDX, iso.RuntimeData
		ev.runtime, quote = iso.RuntimeData, iso.Quote
		required = append(required, tdx.CheckSignature, hcl.IDBinding, tpmquote.IDAKBinding)
	default:
		set.TEE = evidence.TEETrustedLaunch
	}
	ev.res = verify.Evidence(set, s.trust.verifyOptions(now))
	l := append(check.List(nil), ev.res.Checks...)
	l = append(l, akAttributes(t.AikPub), s.trust.akChain(t.AikCert, now))
	l = append(l, tpmquote.VerifyCertify(t.EncKeyCertifyInfo, t.EncKeyCertifyInfoSignature, ev.res.AK, t.EncKeyPub)...)
	l = append(l, tpmquote.EncKeyPolicyMatches(t.EncKeyPub, t.PCRs, t.PcrSet))
	if c, ok := selectionMatches(ev.res, t.PcrSet); !ok {
		l = append(l, c)
	}
	if quote != nil {
		q, ql := s.trust.verifyTDQuote(quote, ev.runtime, now)
		ev.tdQuote = q
		l = append(l, ql...)
	}
	ev.checks = l
	if bad := rejected(l, required); len(bad) > 0 {
		return nil, attestationFailed("AzureGuest", bad)
	}
	key, err := tpmquote.ParsePublic(t.EncKeyPub)
	if err != nil {
		return nil, invalidParameter("AttestationInfo.TpmInfo.EncKeyPub: %v", err)
	}
	ev.encKey = key
	return ev, nil
}

// selectionMatches requires the quote to cover exactly PcrSet: the PCR set the client
// names is the one the encryption key is bound to and the one the token reports.
func selectionMatches(res *verify.Result, set []int) (check.Check, bool) {
	if res.Attest == nil || len(res.Attest.Selection) != 1 {
		return check.Check{}, true // the quote checks already say why
	}
	sel := slices.Clone(res.Attest.Selection[0].PCRs)
	slices.Sort(sel)
	if slices.Equal(sel, set) {
		return check.Check{}, true
	}
	return check.Failf(tpmquote.IDPCRDigest, "TpmInfo.PcrSet %v differs from the PCRs the quote selects %v", set, sel), false
}

// platformEvidence is a verified SevSnpVm or TdxVm request.
type platformEvidence struct {
	req     *maa.PlatformRequest
	snp     *snp.Report
	tdQuote *tdx.Quote
	// claimsJSON is the runtime data when it is JSON (it becomes x-ms-runtime).
	claimsJSON []byte
}

// runtimeJSON says whether runtime data is to be read as JSON: dataType JSON, or no
// dataType and a JSON object. [UNSURE] what MAA does without dataType; it is required there.
func runtimeJSON(data []byte, typ string) bool {
	switch typ {
	case "JSON":
		return true
	case "":
		return json.Valid(data) && bytes.HasPrefix(bytes.TrimSpace(data), []byte("{"))
	}
	return false
}

func (s *Server) verifySevSnpVm(p *maa.PlatformRequest, now time.Time) (*platformEvidence, *apiError) {
	if p.VcekCertChain == "" {
		return nil, invalidParameter("report: the bundle has no VcekCertChain; send THIM's vcekCert+certificateChain with the SnpReport")
	}
	certs, err := snp.ParseCerts([]byte(p.VcekCertChain))
	if err != nil {
		return nil, invalidParameter("report.VcekCertChain: %v", err)
	}
	set := &evidence.Set{Source: evidence.SourceFiles, TEE: evidence.TEESEVSNP, SNPReport: p.SnpReport}
	for _, c := range certs {
		set.Certs = append(set.Certs, c.Raw)
	}
	ev := &platformEvidence{req: p}
	isJSON := len(p.RuntimeData) > 0 && runtimeJSON(p.RuntimeData, p.RuntimeDataType)
	if isJSON {
		set.RuntimeClaims, ev.claimsJSON = p.RuntimeData, p.RuntimeData
	}
	res := verify.Evidence(set, s.trust.verifyOptions(now))
	l := append(check.List(nil), res.Checks...)
	required := []string{snp.IDSignature, snp.IDChain}
	if len(p.RuntimeData) > 0 {
		required = append(required, hcl.IDBinding)
		if !isJSON && res.SNP != nil {
			l = append(l, bindingCheck(res.SNP.ReportData(), p.RuntimeData))
		}
	}
	if bad := rejected(l, required); len(bad) > 0 {
		return nil, attestationFailed("SevSnpVm", bad)
	}
	ev.snp = res.SNP
	return ev, nil
}

func (s *Server) verifyTdxVm(p *maa.PlatformRequest, now time.Time) (*platformEvidence, *apiError) {
	ev := &platformEvidence{req: p}
	q, l := s.trust.verifyTDQuote(p.Quote, p.RuntimeData, now)
	required := []string{tdx.CheckSignature}
	if len(p.RuntimeData) > 0 {
		required = append(required, hcl.IDBinding)
		if runtimeJSON(p.RuntimeData, p.RuntimeDataType) {
			if _, err := hcl.ParseRuntimeClaims(p.RuntimeData); err != nil {
				l = append(l, check.Failf("hcl.parse", "runtimeData: %v", err))
			}
			ev.claimsJSON = p.RuntimeData
		}
	}
	if bad := rejected(l, required); len(bad) > 0 {
		return nil, attestationFailed("TdxVm", bad)
	}
	ev.tdQuote = q
	return ev, nil
}
