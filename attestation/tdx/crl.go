package tdx

import (
	"crypto/x509"
	"fmt"
	"time"

	"github.com/cvmscope/cvmscope/attestation/fault"
)

// checkCRLs checks the optional PCK and root CRLs: each must be signed by its issuer in the
// quote's chain, and neither the PCK certificate, the PCK CA nor the TCB signing
// certificate may be listed. It returns the name of a revoked certificate, if any.
func checkCRLs(q *Quote, sc *signedCollateral, c *Collateral) (revoked detail, details []detail, err error) {
	if len(c.PCKCRL) == 0 && len(c.RootCRL) == 0 {
		return detail{}, []detail{{"revocation not checked: no PCK or root CRL supplied", "PCK CRL도 루트 CRL도 주어지지 않아 폐기 여부를 확인하지 않았습니다"}}, nil
	}
	type target struct {
		name detail
		cert *x509.Certificate
	}
	for _, l := range []struct {
		name    string
		nameKO  string
		der     []byte
		issuer  *x509.Certificate
		targets []target
	}{
		{"PCK CRL", "PCK CRL", c.PCKCRL, q.Intermediate, []target{{detail{"PCK certificate " + q.PCK.Subject.CommonName, "PCK 인증서 " + q.PCK.Subject.CommonName}, q.PCK}}},
		{"root CA CRL", "루트 CA CRL", c.RootCRL, q.Root, []target{
			{detail{"PCK CA " + q.Intermediate.Subject.CommonName, "PCK CA " + q.Intermediate.Subject.CommonName}, q.Intermediate},
			{detail{"TCB signing certificate", "TCB 서명 인증서"}, sc.signing}}},
	} {
		if len(l.der) == 0 {
			details = append(details, detail{l.name + ": not supplied", l.nameKO + ": 주어지지 않았습니다"})
			continue
		}
		crl, err := x509.ParseRevocationList(l.der)
		if err != nil {
			return detail{}, details, fault.Korean(fmt.Errorf("%s: %v", l.name, err), fmt.Sprintf("%s를 읽을 수 없습니다: %v", l.nameKO, err), "")
		}
		if err := crl.CheckSignatureFrom(l.issuer); err != nil {
			return detail{}, details, fault.Korean(fmt.Errorf("%s is not signed by %q: %v", l.name, l.issuer.Subject.CommonName, err),
				fmt.Sprintf("%s가 %q의 서명을 받지 않았습니다: %v", l.nameKO, l.issuer.Subject.CommonName, err), "")
		}
		for _, t := range l.targets {
			for _, e := range crl.RevokedCertificateEntries {
				if e.SerialNumber.Cmp(t.cert.SerialNumber) == 0 {
					return t.name, details, nil
				}
			}
		}
		this, next := crl.ThisUpdate.UTC().Format(time.DateOnly), crl.NextUpdate.UTC().Format(time.DateOnly)
		details = append(details, detail{fmt.Sprintf("%s (this update %s, next %s): no certificate of the chain listed", l.name, this, next),
			fmt.Sprintf("%s(이번 갱신 %s, 다음 갱신 %s): 체인의 인증서가 하나도 올라 있지 않습니다", l.nameKO, this, next)})
	}
	return detail{}, details, nil
}
