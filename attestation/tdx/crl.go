package tdx

import (
	"crypto/x509"
	"fmt"
	"time"
)

// checkCRLs checks the optional PCK and root CRLs: each must be signed by its issuer in the
// quote's chain, and neither the PCK certificate, the PCK CA nor the TCB signing
// certificate may be listed. It returns the name of a revoked certificate, if any.
func checkCRLs(q *Quote, sc *signedCollateral, c *Collateral) (revoked string, details []string, err error) {
	if len(c.PCKCRL) == 0 && len(c.RootCRL) == 0 {
		return "", []string{"revocation not checked: no PCK or root CRL supplied"}, nil
	}
	type target struct {
		name string
		cert *x509.Certificate
	}
	for _, l := range []struct {
		name    string
		der     []byte
		issuer  *x509.Certificate
		targets []target
	}{
		{"PCK CRL", c.PCKCRL, q.Intermediate, []target{{"PCK certificate " + q.PCK.Subject.CommonName, q.PCK}}},
		{"root CA CRL", c.RootCRL, q.Root, []target{{"PCK CA " + q.Intermediate.Subject.CommonName, q.Intermediate}, {"TCB signing certificate", sc.signing}}},
	} {
		if len(l.der) == 0 {
			details = append(details, l.name+": not supplied")
			continue
		}
		crl, err := x509.ParseRevocationList(l.der)
		if err != nil {
			return "", details, fmt.Errorf("%s: %v", l.name, err)
		}
		if err := crl.CheckSignatureFrom(l.issuer); err != nil {
			return "", details, fmt.Errorf("%s is not signed by %q: %v", l.name, l.issuer.Subject.CommonName, err)
		}
		for _, t := range l.targets {
			for _, e := range crl.RevokedCertificateEntries {
				if e.SerialNumber.Cmp(t.cert.SerialNumber) == 0 {
					return t.name, details, nil
				}
			}
		}
		details = append(details, fmt.Sprintf("%s (this update %s, next %s): no certificate of the chain listed", l.name, crl.ThisUpdate.UTC().Format(time.DateOnly), crl.NextUpdate.UTC().Format(time.DateOnly)))
	}
	return "", details, nil
}
