package verify

import (
	"context"
	"crypto/x509"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/internal/httpx"
	"github.com/cvmscope/cvmscope/attestation/snp"
	"github.com/google/go-sev-guest/kds"
	sevverify "github.com/google/go-sev-guest/verify"
	"github.com/google/go-sev-guest/verify/trust"
)

// IDAMDRevocation is the check of AMD's CRL that --network fetches for a SEV-SNP chain.
const IDAMDRevocation = "snp.revocation"

// amdRevocation fetches the CRL named by the ASK through go-sev-guest
// (GetCrlAndCheckRootContext, with cvmscope's getter), checks it is signed by the trusted
// ARK, and that neither the ASK nor a supplied VCEK is on it. The ARK is whichever trusted
// one signed the CRL: AMD's own for the product, or one the caller trusts (the simulated
// CVM's), never one the evidence brought.
func amdRevocation(r *Result, opts Options) check.Check {
	product := r.SNP.ProductLine()
	if product == "" {
		product = "Milan"
	}
	var candidates []*trust.AMDRootCerts
	for _, x := range opts.Trust.AMD {
		if x.ARK != nil && x.ASK != nil {
			rc := trust.AMDRootCertsProduct(product)
			rc.ProductCerts = &trust.ProductCerts{Ark: x.ARK, Ask: x.ASK}
			candidates = append(candidates, rc)
		}
	}
	if def, err := trust.GetDefaultRootCerts(product); err == nil && def.ProductCerts != nil {
		candidates = append(candidates, def)
	}
	ctx, cancel := context.WithTimeout(opts.context(), snp.DefaultKDSTimeout)
	defer cancel()
	getter := crlGetter{client: opts.kdsClient()}
	vo := &sevverify.Options{Now: opts.Now, Getter: getter}
	// The CRL speaks for one ASK: the one that issued this report's VCEK. The VCEK is the
	// supplied one, or the one snp.chain verified after fetching it (the cache has it).
	vcek := snp.NewChain(r.Certs).VCEK
	supplied := vcek != nil
	if vcek == nil {
		u := kds.VCEKCertURL(product, r.SNP.ChipID(), kds.TCBVersion(r.SNP.Proto.GetReportedTcb()))
		if der, err := getter.GetContext(ctx, u); err == nil {
			vcek, _ = x509.ParseCertificate(der)
		}
	}
	if vcek == nil {
		return check.Skipf(IDAMDRevocation, "no VCEK at hand to tie AMD's CRL to; revocation not checked").
			KO("AMD CRL과 연결할 VCEK가 없어 폐기 여부를 검사하지 않았습니다")
	}
	var errs []string
	for _, rc := range candidates {
		if rc.ProductCerts.Ask.CheckSignature(vcek.SignatureAlgorithm, vcek.RawTBSCertificate, vcek.Signature) != nil {
			continue // another product chain's ASK
		}
		crl, err := sevverify.GetCrlAndCheckRootContext(ctx, rc, vo)
		if err != nil {
			if k := fault.KindOf(err); k == fault.Interrupted || ctx.Err() != nil {
				return check.Skipf(IDAMDRevocation, "--network: fetching AMD's CRL was interrupted or timed out (%v); revocation not checked", err).
					KO("--network: AMD CRL을 가져오다 중단되었거나 시간이 초과되어 폐기 여부를 검사하지 않았습니다. %s", fault.QuoteKO("오류", err.Error()))
			}
			// go-sev-guest refuses a CRL that revokes the ASK with an error; that is this
			// check's failure, not a CRL it could not use. It leaves the CRL it read in rc.
			if l := rc.CRL; l != nil && l.CheckSignatureFrom(rc.ProductCerts.Ark) == nil {
				for _, e := range l.RevokedCertificateEntries {
					if e.SerialNumber.Cmp(rc.ProductCerts.Ask.SerialNumber) == 0 {
						ark := rc.ProductCerts.Ark.Subject.CommonName
						return check.Failf(IDAMDRevocation, "AMD's CRL (signed by %s) revokes the ASK %q (serial %x) that issued the VCEK, since %s", ark, rc.ProductCerts.Ask.Subject.CommonName, e.SerialNumber, e.RevocationTime.UTC().Format(time.DateOnly)).
							KO("AMD CRL(%s 서명)이 VCEK를 발급한 ASK %q(일련번호 %x)를 %s부터 폐기했습니다", ark, rc.ProductCerts.Ask.Subject.CommonName, e.SerialNumber, e.RevocationTime.UTC().Format(time.DateOnly))
					}
				}
			}
			errs = append(errs, err.Error())
			continue
		}
		ark := rc.ProductCerts.Ark.Subject.CommonName
		for _, e := range crl.RevokedCertificateEntries {
			if e.SerialNumber.Cmp(vcek.SerialNumber) == 0 {
				return check.Failf(IDAMDRevocation, "AMD's CRL (signed by %s) revokes the VCEK (serial %x) since %s", ark, vcek.SerialNumber, e.RevocationTime.UTC().Format(time.DateOnly)).
					KO("AMD CRL(%s 서명)이 VCEK(일련번호 %x)를 %s부터 폐기했습니다", ark, vcek.SerialNumber, e.RevocationTime.UTC().Format(time.DateOnly))
			}
		}
		now := opts.Now
		if now.IsZero() {
			now = time.Now()
		}
		what, whatKO := "the ASK or the VCEK", "ASK와 VCEK"
		if !supplied {
			what, whatKO = "the ASK or the VCEK fetched from KDS", "ASK와 KDS에서 받은 VCEK"
		}
		if !crl.NextUpdate.IsZero() && now.After(crl.NextUpdate) {
			return check.Warnf(IDAMDRevocation, "AMD's CRL (signed by %s) lists neither %s, but it is stale: next update was due %s", ark, what, crl.NextUpdate.UTC().Format(time.DateOnly)).
				KO("AMD CRL(%s 서명)에 %s가 없지만, 다음 갱신 예정일 %s이 지난 오래된 목록입니다", ark, whatKO, crl.NextUpdate.UTC().Format(time.DateOnly))
		}
		return check.Passf(IDAMDRevocation, "AMD's CRL (signed by %s, issued %s, %d entries) revokes neither %s", ark, crl.ThisUpdate.UTC().Format(time.DateOnly), len(crl.RevokedCertificateEntries), what).
			KO("AMD CRL(%s 서명, %s 발행, 항목 %d개)이 %s를 폐기하지 않았습니다", ark, crl.ThisUpdate.UTC().Format(time.DateOnly), len(crl.RevokedCertificateEntries), whatKO)
	}
	if len(errs) == 0 {
		return check.Skipf(IDAMDRevocation, "the VCEK's issuer %q is no trusted ASK; revocation not checked (see snp.chain)", vcek.Issuer.CommonName).
			KO("VCEK 발급자 %q가 신뢰하는 ASK가 아니어서 폐기 여부를 검사하지 않았습니다(snp.chain 참고)", vcek.Issuer.CommonName)
	}
	msg := strings.Join(errs, "; ")
	return check.Warnf(IDAMDRevocation, "--network: AMD's CRL could not be fetched or is not signed by a trusted ARK: %s", msg).
		KO("--network: AMD CRL을 가져오지 못했거나 신뢰하는 ARK가 서명하지 않았습니다. %s", fault.QuoteKO("오류", msg))
}

// crlGetter is go-sev-guest's getter over cvmscope's HTTP rules (httpx: deadline per try,
// one retry of a dropped connection, bounded body, -v log).
type crlGetter struct{ client *http.Client }

func (g crlGetter) Get(u string) ([]byte, error) { return g.GetContext(context.Background(), u) }

func (g crlGetter) GetContext(ctx context.Context, u string) ([]byte, error) {
	resp, err := httpx.Get(ctx, g.client, httpx.Request{Op: "AMD KDS GET " + u, Method: http.MethodGet, URL: u},
		httpx.Limits{Attempt: snp.DefaultKDSAttemptTimeout, MaxBody: 1 << 20})
	if err != nil {
		return nil, err
	}
	if resp.Status != http.StatusOK {
		return nil, fmt.Errorf("AMD KDS GET %s: HTTP %d", u, resp.Status)
	}
	return resp.Body, nil
}
