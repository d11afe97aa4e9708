// Package akcert checks the vTPM attestation-key certificate that Azure stores in NV
// 0x01C101D0: that it parses, is within its validity period, is not the placeholder the
// platform serves before provisioning, and certifies the AK the quote was signed with;
// CheckChain also verifies its chain up to vTPM CA certificates the caller chose.
package akcert

import (
	"bytes"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/internal/certs"
)

// ID is the check this package reports.
const ID = "ak.certificate"

// placeholderIssuer marks the certificate Azure serves before the real one is issued;
// the Azure C++ client then fails with "AK cert provisioning delayed".
const placeholderIssuer = "MICROSOFT AZURE TRUSTED VM RSA"

// Hardware is what binds the AK to vendor-signed hardware evidence: HCLAkPub in runtime
// claims that a verified SEV-SNP or TDX report binds.
type Hardware struct {
	// Bound names the passed checks that make the binding ("" when nothing binds the AK).
	Bound string
	// Pending says the binding's other links passed but the hardware report could not be
	// checked yet (no VCEK chain, no TD quote): it may still anchor the AK.
	Pending bool
}

// Field is a labelled value for display. Name is the stable English label (the explanation
// catalog and tests find rows by it); NameKO is the label in Korean, for present.Row.KeyKO.
type Field struct{ Name, NameKO, Value string }

// CheckChain is Check and, when the caller chose vTPM CA certificates (anchors), that the
// certificate was issued under one of them. A self-signed AK certificate always fails: anyone
// can make one, so it would vouch for the AK with the AK's own word.
//
// Without anchors, hw decides: an AK bound to verified hardware evidence passes, the
// certificate being informational; an unbound one fails, because then the certificate is the
// quote's only link to a CA and nobody chose that CA; a pending binding skips.
//
// carried are certificates the evidence brings (a go-tpm-tools attestation's intermediates):
// they may fill the path between the AK certificate and an anchor, never end it.
func CheckChain(der []byte, ak *rsa.PublicKey, now time.Time, anchors, carried []*x509.Certificate, hw Hardware) check.Check {
	c := Check(der, ak, now)
	if c.Verdict != check.Pass {
		return c
	}
	cert, err := Parse(der)
	if err != nil { // Check parsed it; kept so a change there cannot turn into a pass here
		return check.Failf(ID, "AK certificate does not parse: %v", err).KO("AK 인증서를 해석할 수 없습니다: %v", err)
	}
	if len(anchors) == 0 {
		if bytes.Equal(cert.RawIssuer, cert.RawSubject) || cert.CheckSignature(cert.SignatureAlgorithm, cert.RawTBSCertificate, cert.Signature) == nil {
			return check.Failf(ID, "AK certificate %q is self-signed: it vouches for the AK with the AK's own word", issuerName(cert)).
				KO("AK 인증서 %q는 자체 서명되었습니다. AK를 AK 자신의 말로 보증할 뿐입니다", issuerName(cert)).
				WithDetail("use the certificate from NV 0x01C101D0, issued by Azure's vTPM CA",
					"Azure vTPM CA가 발급한 NV 0x01C101D0의 인증서를 씁니다")
		}
		switch {
		case hw.Bound != "":
			c.Summary = strings.Replace(c.Summary, "chain not verified", "chain not verified (informational: the hardware binding "+hw.Bound+" is what anchors the AK)", 1)
			c.SummaryKO = strings.Replace(c.SummaryKO, "인증서 체인은 검증하지 않았습니다", "인증서 체인은 검증하지 않았습니다(참고용: AK를 보증하는 것은 하드웨어 바인딩 "+hw.Bound+"입니다)", 1)
			return c
		case hw.Pending:
			s := check.Skipf(ID, "AK certificate from %q: chain not checked against a root you chose; the hardware report that binds the AK is not verified yet (no VCEK chain or TD quote), and only once it is does it anchor the AK; or give Azure's vTPM root with --vtpm-root FILE", issuerName(cert)).
				KO("%q가 발급한 AK 인증서의 체인을 사용자가 고른 루트로 검증하지 않았습니다. AK를 묶는 하드웨어 보고서를 아직 검증하지 못했으므로(VCEK 체인이나 TD 쿼트 없음) 그것이 검증되어야 AK가 보증됩니다. 아니면 --vtpm-root FILE로 Azure vTPM 루트를 줍니다", issuerName(cert))
			s.Details, s.DetailsKO = c.Details, c.DetailsKO
			return s
		}
		f := check.Failf(ID, "AK certificate from %q: its chain was not checked against a root you chose, and no verified hardware report binds the AK, so the quote proves nothing about whose TPM signed it; give Azure's vTPM root with --vtpm-root FILE, or --trust-simulated for simulated evidence", issuerName(cert)).
			KO("%q가 발급한 AK 인증서의 체인을 사용자가 고른 루트로 검증하지 않았고, 검증된 하드웨어 보고서가 AK를 묶어 주지도 않으므로 쿼트는 어느 TPM이 서명했는지 증명하지 못합니다. --vtpm-root FILE로 Azure vTPM 루트를 주거나, 시뮬레이션 증거라면 --trust-simulated를 씁니다", issuerName(cert))
		f.Details, f.DetailsKO = c.Details, c.DetailsKO
		return f.WithDetail(`--vtpm-root takes PEM certificates, e.g. "Azure Virtual TPM Root Certificate Authority 2023" downloaded from Microsoft (see README, Trust)`,
			`--vtpm-root는 PEM 인증서를 받습니다. 예: Microsoft에서 내려받은 "Azure Virtual TPM Root Certificate Authority 2023"(README의 Trust 참고)`)
	}
	roots, inters := x509.NewCertPool(), x509.NewCertPool()
	for _, a := range anchors {
		// Every anchor is a trust point the caller chose: the issuing CA as much as its root.
		roots.AddCert(a)
		inters.AddCert(a)
	}
	for _, c := range carried {
		inters.AddCert(c)
	}
	chains, err := cert.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inters, CurrentTime: now, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	if err != nil {
		return check.Failf(ID, "AK certificate from %q is not issued by a vTPM CA you trust: %v", issuerName(cert), err).
			KO("%q가 발급한 AK 인증서는 신뢰하는 vTPM CA가 발급한 것이 아닙니다: %v", issuerName(cert), err)
	}
	top := chains[0][len(chains[0])-1]
	c.Summary = strings.Replace(c.Summary, "chain not verified", fmt.Sprintf("chain verified to %q", top.Subject.CommonName), 1)
	c.SummaryKO = strings.Replace(c.SummaryKO, "인증서 체인은 검증하지 않았습니다", fmt.Sprintf("인증서 체인을 %q까지 검증했습니다", top.Subject.CommonName), 1)
	return c
}

// Check parses der (zero padding allowed) and checks it at now. When ak is not nil the
// certificate's key must equal it.
func Check(der []byte, ak *rsa.PublicKey, now time.Time) check.Check {
	trimmed, err := Trim(der)
	if err != nil {
		ko, _ := fault.MessageIn(err, "ko")
		return check.Failf(ID, "AK certificate does not parse: %v", err).
			KO("AK 인증서를 해석할 수 없습니다: %s", ko).
			WithDetail("read NV 0x01C101D0 again; an empty or malformed index means the certificate is not provisioned",
				"NV 0x01C101D0을 다시 읽습니다. 인덱스가 비어 있거나 형식이 잘못되었다면 인증서가 아직 발급되지 않은 것입니다")
	}
	cert, err := x509.ParseCertificate(trimmed)
	if err == nil {
		err = certs.Oversized(cert)
	}
	if err != nil {
		return check.Failf(ID, "AK certificate (%d DER bytes) does not parse as X.509: %v", len(trimmed), err).
			KO("AK 인증서(DER %d바이트)를 X.509로 해석할 수 없습니다: %v", len(trimmed), err)
	}
	base := check.Check{}.
		WithDetail("issuer: "+cert.Issuer.String(), "발급자: "+cert.Issuer.String()).
		WithDetail("subject: "+cert.Subject.String(), "주체: "+cert.Subject.String()).
		WithDetail(fmt.Sprintf("valid %s to %s", day(cert.NotBefore), day(cert.NotAfter)),
			fmt.Sprintf("유효기간 %s ~ %s", day(cert.NotBefore), day(cert.NotAfter)))
	// with gives c the certificate's detail lines, in both languages, ahead of its own.
	with := func(c check.Check) check.Check {
		c.Details, c.DetailsKO = base.Details, base.DetailsKO
		return c
	}
	if strings.Contains(strings.ToUpper(cert.Issuer.String()), placeholderIssuer) {
		return with(check.Failf(ID, "AK certificate is the placeholder from %q: not provisioned yet; retry after some time", cert.Issuer.CommonName).
			KO("AK 인증서가 %q의 임시 인증서입니다. 아직 발급되지 않았으므로 잠시 뒤 다시 시도합니다", cert.Issuer.CommonName))
	}
	if now.Before(cert.NotBefore) {
		return with(check.Failf(ID, "AK certificate is not valid until %s (checked at %s)", day(cert.NotBefore), day(now)).
			KO("AK 인증서는 %s부터 유효합니다(검증 시점 %s)", day(cert.NotBefore), day(now)))
	}
	if now.After(cert.NotAfter) {
		return with(check.Failf(ID, "AK certificate expired on %s (checked at %s)", day(cert.NotAfter), day(now)).
			KO("AK 인증서가 %s에 만료되었습니다(검증 시점 %s)", day(cert.NotAfter), day(now))).
			WithDetail("Azure renews the AK certificate through THIM; restart the guest attestation agent or the VM",
				"Azure는 THIM을 통해 AK 인증서를 갱신합니다. 게스트 증명 에이전트나 VM을 다시 시작합니다")
	}
	if left := cert.NotAfter.Sub(now); left < 90*24*time.Hour {
		days := int(left.Hours() / 24)
		base = base.WithDetail(fmt.Sprintf("expires in %d days; Azure's client renews it when 90 days or fewer remain", days),
			fmt.Sprintf("%d일 뒤 만료됩니다. Azure 클라이언트는 90일 이하로 남았을 때 갱신합니다", days))
	}
	keyScope, keyScopeKO := "key not compared (no AK given)", "키는 비교하지 않았습니다(AK가 주어지지 않음)"
	if ak != nil {
		cpub, ok := cert.PublicKey.(*rsa.PublicKey)
		if !ok {
			return with(check.Failf(ID, "AK certificate holds a %T key, but the AK is RSA", cert.PublicKey).
				KO("AK 인증서의 키는 %T이지만 AK는 RSA입니다", cert.PublicKey))
		}
		if !cpub.Equal(ak) {
			return with(check.Failf(ID, "AK certificate is for a different key than the AK").
				KO("AK 인증서가 AK와 다른 키에 대한 것입니다")).
				WithDetail("certificate key SHA-256: "+keyHash(cpub), "인증서 키 SHA-256: "+keyHash(cpub)).
				WithDetail("AK key SHA-256:          "+keyHash(ak), "AK 키 SHA-256:      "+keyHash(ak))
		}
		keyScope, keyScopeKO = "key equals the AK", "키가 AK와 같습니다"
	}
	return with(check.Passf(ID, "AK certificate from %q valid until %s; %s; chain not verified",
		issuerName(cert), day(cert.NotAfter), keyScope).
		KO("%q가 발급한 AK 인증서가 %s까지 유효합니다. %s. 인증서 체인은 검증하지 않았습니다",
			issuerName(cert), day(cert.NotAfter), keyScopeKO))
}

// Parse trims and parses a certificate read from NV.
func Parse(der []byte) (*x509.Certificate, error) {
	trimmed, err := Trim(der)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(trimmed)
	if err == nil {
		err = certs.Oversized(cert)
	}
	if err != nil {
		return nil, fault.Korean(err, fmt.Sprintf("AK 인증서(DER %d바이트)를 X.509로 해석할 수 없습니다: %v", len(trimmed), err), "")
	}
	return cert, nil
}

// Fields lists what a person wants to see of the certificate.
func Fields(cert *x509.Certificate) []Field {
	f := []Field{
		{"Subject", "주체", cert.Subject.String()},
		{"Issuer", "발급자", cert.Issuer.String()},
		{"Serial", "일련번호", strings.ToUpper(cert.SerialNumber.Text(16))},
		{"Not before", "유효기간 시작", cert.NotBefore.UTC().Format(time.RFC3339)},
		{"Not after", "유효기간 끝", cert.NotAfter.UTC().Format(time.RFC3339)},
		{"Key", "키", keyDesc(cert)},
		{"Signature", "서명 알고리즘", cert.SignatureAlgorithm.String()},
	}
	for _, u := range cert.IssuingCertificateURL {
		f = append(f, Field{"CA issuers (AIA)", "CA 발급자 (AIA)", u})
	}
	for _, u := range cert.OCSPServer {
		f = append(f, Field{"OCSP (AIA)", "OCSP (AIA)", u})
	}
	for _, u := range cert.CRLDistributionPoints {
		f = append(f, Field{"CRL", "CRL", u})
	}
	return f
}

func keyDesc(cert *x509.Certificate) string {
	if k, ok := cert.PublicKey.(*rsa.PublicKey); ok {
		return fmt.Sprintf("RSA-%d, e=%d, SHA-256 of modulus %s", k.N.BitLen(), k.E, keyHash(k))
	}
	return cert.PublicKeyAlgorithm.String()
}

func keyHash(k *rsa.PublicKey) string {
	h := sha256.Sum256(k.N.Bytes())
	return hex.EncodeToString(h[:8])
}

func issuerName(cert *x509.Certificate) string {
	if cert.Issuer.CommonName != "" {
		return cert.Issuer.CommonName
	}
	return cert.Issuer.String()
}

func day(t time.Time) string { return t.UTC().Format("2006-01-02") }
