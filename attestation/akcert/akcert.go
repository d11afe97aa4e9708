// Package akcert checks the vTPM attestation-key certificate that Azure stores in NV
// 0x01C101D0: that it parses, is within its validity period, is not the placeholder the
// platform serves before provisioning, and certifies the AK the quote was signed with.
// It does not verify the certificate chain.
package akcert

import (
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/cvmscope/cvmscope/attestation/check"
)

// ID is the check this package reports.
const ID = "ak.certificate"

// placeholderIssuer marks the certificate Azure serves before the real one is issued;
// the Azure C++ client then fails with "AK cert provisioning delayed".
const placeholderIssuer = "MICROSOFT AZURE TRUSTED VM RSA"

// Field is a labelled value for display.
type Field struct{ Name, Value string }

// Check parses der (zero padding allowed) and checks it at now. When ak is not nil the
// certificate's key must equal it.
func Check(der []byte, ak *rsa.PublicKey, now time.Time) check.Check {
	trimmed, err := Trim(der)
	if err != nil {
		return check.Failf(ID, "AK certificate does not parse: %v", err).
			WithDetails("read NV 0x01C101D0 again; an empty or malformed index means the certificate is not provisioned")
	}
	cert, err := x509.ParseCertificate(trimmed)
	if err != nil {
		return check.Failf(ID, "AK certificate (%d DER bytes) does not parse as X.509: %v", len(trimmed), err)
	}
	details := []string{
		"issuer: " + cert.Issuer.String(),
		"subject: " + cert.Subject.String(),
		fmt.Sprintf("valid %s to %s", day(cert.NotBefore), day(cert.NotAfter)),
	}
	if strings.Contains(strings.ToUpper(cert.Issuer.String()), placeholderIssuer) {
		return check.Failf(ID, "AK certificate is the placeholder from %q: not provisioned yet; retry after some time", cert.Issuer.CommonName).
			WithDetails(details...)
	}
	if now.Before(cert.NotBefore) {
		return check.Failf(ID, "AK certificate is not valid until %s (checked at %s)", day(cert.NotBefore), day(now)).WithDetails(details...)
	}
	if now.After(cert.NotAfter) {
		return check.Failf(ID, "AK certificate expired on %s (checked at %s)", day(cert.NotAfter), day(now)).
			WithDetails(append(details, "Azure renews the AK certificate through THIM; restart the guest attestation agent or the VM")...)
	}
	if left := cert.NotAfter.Sub(now); left < 90*24*time.Hour {
		details = append(details, fmt.Sprintf("expires in %d days; Azure's client renews it when 90 days or fewer remain", int(left.Hours()/24)))
	}
	keyScope := "key not compared (no AK given)"
	if ak != nil {
		cpub, ok := cert.PublicKey.(*rsa.PublicKey)
		if !ok {
			return check.Failf(ID, "AK certificate holds a %T key, but the AK is RSA", cert.PublicKey).WithDetails(details...)
		}
		if !cpub.Equal(ak) {
			return check.Failf(ID, "AK certificate is for a different key than the AK").
				WithDetails(append(details, "certificate key SHA-256: "+keyHash(cpub), "AK key SHA-256:          "+keyHash(ak))...)
		}
		keyScope = "key equals the AK"
	}
	return check.Passf(ID, "AK certificate from %q valid until %s; %s; chain not verified",
		issuerName(cert), day(cert.NotAfter), keyScope).WithDetails(details...)
}

// Parse trims and parses a certificate read from NV.
func Parse(der []byte) (*x509.Certificate, error) {
	trimmed, err := Trim(der)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(trimmed)
}

// Fields lists what a person wants to see of the certificate.
func Fields(cert *x509.Certificate) []Field {
	f := []Field{
		{"Subject", cert.Subject.String()},
		{"Issuer", cert.Issuer.String()},
		{"Serial", strings.ToUpper(cert.SerialNumber.Text(16))},
		{"Not before", cert.NotBefore.UTC().Format(time.RFC3339)},
		{"Not after", cert.NotAfter.UTC().Format(time.RFC3339)},
		{"Key", keyDesc(cert)},
		{"Signature", cert.SignatureAlgorithm.String()},
	}
	for _, u := range cert.IssuingCertificateURL {
		f = append(f, Field{"CA issuers (AIA)", u})
	}
	for _, u := range cert.OCSPServer {
		f = append(f, Field{"OCSP (AIA)", u})
	}
	for _, u := range cert.CRLDistributionPoints {
		f = append(f, Field{"CRL", u})
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
