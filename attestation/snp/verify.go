package snp

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/go-sev-guest/abi"
	"github.com/google/go-sev-guest/kds"
	spb "github.com/google/go-sev-guest/proto/sevsnp"
	"github.com/google/go-sev-guest/verify"
	"github.com/google/go-sev-guest/verify/trust"
	"google.golang.org/protobuf/proto"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/internal/certs"
	"github.com/cvmscope/cvmscope/attestation/internal/httpx"
)

// Check IDs produced by Verify.
const (
	IDSignature = "snp.signature"
	IDChain     = "snp.chain"
)

// Options steer Verify.
type Options struct {
	// Now is the time at which certificates must be valid; zero means time.Now().
	Now time.Time
	// ExtraRoots are trusted in addition to AMD's (the simulated CVM's test roots).
	ExtraRoots []Roots
	// AllowNetwork lets go-sev-guest fetch a missing VCEK from AMD KDS. Off by default.
	AllowNetwork bool
	// Context cancels a KDS fetch (Ctrl-C, Esc); nil means context.Background(). Whatever
	// the context, the fetch ends after KDSTimeout.
	Context context.Context
	// KDSTimeout bounds the whole fetch (the ASK/ARK chain and the VCEK); zero means
	// DefaultKDSTimeout. Each request gets at most DefaultKDSAttemptTimeout.
	KDSTimeout time.Duration
	// KDSClient sends the KDS requests; nil means http.DefaultClient (environment proxy).
	KDSClient *http.Client
	// KDSFailed, when set, is given the error of a VCEK fetch that AllowNetwork asked for
	// and that found no answer (fault.Network, or fault.Interrupted): the signature checks
	// it leaves skipped are then the run's network failure, not a verdict on the evidence.
	KDSFailed func(error)
}

// Default time limits of a VCEK fetch from AMD KDS: two small certificates.
const (
	DefaultKDSAttemptTimeout = 10 * time.Second
	DefaultKDSTimeout        = 30 * time.Second
)

// Roots is a trusted ARK and its intermediate (ASK, or ASVK for VLEK-signed reports).
type Roots struct {
	// Product is the product line ("Milan", "Genoa", "Turin"); "" takes it from the ASK's or
	// ARK's common name. The VCEK's issuer CN must be "SEV-"+Product.
	Product string
	ARK     *x509.Certificate
	// ASK may be nil; the ASK supplied with the evidence is then used (it must still be
	// signed by ARK).
	ASK *x509.Certificate
}

// THIMHint says where a missing VCEK comes from on Azure; THIMHintKO says it in Korean.
const (
	THIMHint   = "on Azure, save the JSON of IMDS GET http://169.254.169.254/metadata/THIM/amd/certification (header Metadata: true) and pass it as the certificates file"
	THIMHintKO = "Azure에서는 IMDS GET http://169.254.169.254/metadata/THIM/amd/certification(헤더 Metadata: true)의 JSON을 저장해 인증서 파일로 넘깁니다"
)

// Verify checks the report signature (snp.signature), the VCEK → ASK → ARK chain
// (snp.chain), that the VCEK or VLEK is the one for this report (snp.vcek-binding) and the
// report's layout for its version (snp.structure). certs may be any mix of VCEK/VLEK, ASK/ASVK and ARK; a missing ASK/ARK is
// replaced by go-sev-guest's embedded copy for the product, and the supplied ones are never
// trusted on their own: trust comes only from AMD's embedded roots or opts.ExtraRoots.
func Verify(r *Report, certs []*x509.Certificate, opts Options) check.List {
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	key := r.SigningKey()
	if key == abi.NoneReportSigner {
		return check.List{
			check.Failf(IDSignature, "the report says it is unsigned (key_info.signing_key = 7); nothing vouches for its contents").
				KO("보고서가 서명되지 않았다고 표시합니다(key_info.signing_key = 7). 내용을 보증하는 것이 없습니다"),
			check.Skipf(IDChain, "no certificate chain applies to an unsigned report").
				KO("서명되지 않은 보고서에는 인증서 체인이 적용되지 않습니다"),
			Binding(r, nil), Structure(r),
		}
	}
	chain := NewChain(certs)
	leaf := chain.VCEK
	if leaf == nil {
		reason, reasonKO := missingLeaf(r, chain, key)
		if opts.AllowNetwork && key == abi.VcekReportSigner {
			fetched, err := fetchVCEK(r, chain, now, opts)
			if err == nil {
				leaf = fetched
			} else {
				errKO, _ := fault.MessageIn(err, "ko")
				if errKO == err.Error() {
					// No Korean was written for it: the library's own words, quoted as such.
					errKO = fault.QuoteKO("오류 원문", errKO)
				}
				reason = fmt.Sprintf("no %v certificate supplied and fetching it from AMD KDS failed (%v); %s", key, err, THIMHint)
				reasonKO = fmt.Sprintf("%v 인증서가 주어지지 않았고 AMD KDS에서 가져오지도 못했습니다(%s). %s", key, errKO, THIMHintKO)
				if k := fault.KindOf(err); opts.KDSFailed != nil && (k == fault.Network || k == fault.Interrupted) {
					opts.KDSFailed(err)
				}
			}
		}
		if leaf == nil {
			return check.List{
				check.Skipf(IDSignature, "report signature not checked: %s", reason).
					KO("보고서 서명을 검증하지 않았습니다: %s", reasonKO),
				check.Skipf(IDChain, "certificate chain not checked: %s", reason).
					KO("인증서 체인을 검증하지 않았습니다: %s", reasonKO),
				Binding(r, nil), Structure(r),
			}
		}
	}
	matched, gsgErr, tried := findRoot(r, chain, leaf, key, opts.ExtraRoots, now)
	sigErr := verifyReportSignature(r.Raw, leaf)
	if matched != nil && gsgErr == nil && sigErr == nil && !protoIsRaw(r) {
		// findRoot handed go-sev-guest the report without its signature, so its last step,
		// the signature over the report as go-sev-guest reads it, did not run. A report it
		// reads back otherwise than it was signed is refused there, as it always was.
		gsgErr = verify.SnpProtoReportSignature(r.Proto, leaf)
	}
	return check.List{signatureCheck(r, leaf, key, sigErr), chainCheck(r, chain, leaf, key, matched, gsgErr, tried, now), Binding(r, leaf), Structure(r)}
}

// protoIsRaw reports whether go-sev-guest's decoding of the report encodes back to the bytes
// read: then its signature check would verify the very bytes signatureCheck verifies.
func protoIsRaw(r *Report) bool {
	b, err := abi.ReportToAbiBytes(r.Proto)
	return err == nil && len(r.Raw) >= abi.ReportSize && bytes.Equal(b, r.Raw[:abi.ReportSize])
}

// missingLeaf says why no leaf certificate is at hand and where to get it, in English and
// in Korean.
func missingLeaf(r *Report, chain Chain, key abi.ReportSigner) (en, ko string) {
	if key == abi.VlekReportSigner {
		return "no VLEK certificate supplied (the report is VLEK-signed; AMD KDS does not serve VLEKs publicly); " + THIMHint,
			"VLEK 인증서가 주어지지 않았습니다(보고서가 VLEK로 서명되었고, AMD KDS는 VLEK를 공개로 제공하지 않습니다). " + THIMHintKO
	}
	pl := expectedProduct(r, chain)
	if pl == "" {
		pl = "{Milan|Genoa|Turin}"
	}
	u := kds.VCEKCertURL(pl, r.ChipID(), kds.TCBVersion(r.Proto.GetReportedTcb()))
	return fmt.Sprintf("no VCEK certificate supplied; %s; elsewhere download it from AMD KDS: %s", THIMHint, u),
		fmt.Sprintf("VCEK 인증서가 주어지지 않았습니다. %s. 그 밖의 환경에서는 AMD KDS에서 내려받습니다: %s", THIMHintKO, u)
}

// signatureCheck is snp.signature's verdict on err, verifyReportSignature's answer for the
// bytes read and leaf.
func signatureCheck(r *Report, leaf *x509.Certificate, key abi.ReportSigner, err error) check.Check {
	if err == nil {
		return check.Passf(IDSignature, "ECDSA P-384/SHA-384 signature over report bytes 0x000-0x29f verifies with the %v public key (whether the %v is AMD's: see %s)", key, key, IDChain).
			KO("보고서 바이트 0x000-0x29f에 대한 ECDSA P-384/SHA-384 서명이 %v 공개 키로 검증됩니다(%v가 AMD의 것인지는 %s에서 봅니다)", key, key, IDChain)
	}
	c := check.Failf(IDSignature, "the report signature does not verify with the supplied %v: the report was altered or was not signed by this key", key).
		KO("주어진 %v로 보고서 서명이 검증되지 않습니다. 보고서가 변경되었거나 이 키로 서명되지 않았습니다", key).
		WithDetail("go-sev-guest: "+err.Error(), fault.QuoteKO("go-sev-guest 오류 원문", err.Error()))
	if exts, xerr := kds.CertificateExtensions(leaf, key); xerr == nil {
		if exts.HWID != nil && !bytes.Equal(exts.HWID, r.ChipID()) {
			c = c.WithDetail("the VCEK belongs to another chip: its HWID is "+hex.EncodeToString(exts.HWID),
				"VCEK가 다른 칩의 것입니다. VCEK의 HWID: "+hex.EncodeToString(exts.HWID)).
				WithDetail("report chip_id is "+hex.EncodeToString(r.ChipID()),
					"보고서의 chip_id: "+hex.EncodeToString(r.ChipID()))
		}
		if uint64(exts.TCBVersion) != r.Proto.GetReportedTcb() {
			c = c.WithDetail(fmt.Sprintf("the VCEK is issued for TCB 0x%016x, the report's reported_tcb is 0x%016x", uint64(exts.TCBVersion), r.Proto.GetReportedTcb()),
				fmt.Sprintf("VCEK는 TCB 0x%016x에 대해 발급되었지만 보고서의 reported_tcb는 0x%016x입니다", uint64(exts.TCBVersion), r.Proto.GetReportedTcb()))
		}
	}
	return c
}

// root is one trust anchor candidate.
type root struct {
	amd       *trust.AMDRootCerts
	extra     bool
	simulated bool
}

func (rt root) describe() (en, ko string) {
	cn := rt.amd.ProductCerts.Ark.Subject.CommonName
	switch {
	case rt.simulated:
		return fmt.Sprintf("simulated test root %q (not AMD: proves nothing about real hardware)", cn),
			fmt.Sprintf("시뮬레이션 테스트 루트 %q(AMD가 아니므로 실제 하드웨어에 대해 아무것도 증명하지 않습니다)", cn)
	case rt.extra:
		return fmt.Sprintf("caller-supplied root %q", cn), fmt.Sprintf("호출자가 지정한 루트 %q", cn)
	}
	return fmt.Sprintf("AMD's %s root as embedded in go-sev-guest", cn), fmt.Sprintf("go-sev-guest에 내장된 AMD %s 루트", cn)
}

// findRoot tries each trusted root with go-sev-guest's check of the chain and returns the
// first root the chain verifies up to, with go-sev-guest's error when it rejects the chain
// there (nil when it passes); tried holds one detail line per root the chain does not reach.
// Each chain is verified once on the way to a pass: x509 verification is asked for
// separately only after go-sev-guest refused, to tell "another root" from "this root, but
// rejected".
//
// go-sev-guest has no entry point for the chain alone: SnpAttestation checks the chain, then
// the report signature. It is handed the report without its signature, so that its last step
// refuses the report before any cryptography (chainPassed); the signature is verified once,
// over the bytes read, by signatureCheck.
func findRoot(r *Report, chain Chain, leaf *x509.Certificate, key abi.ReportSigner, extra []Roots, now time.Time) (matched *root, gsgErr error, tried check.Check) {
	cands := append(amdRoots(key, expectedProduct(r, chain)), extraRoots(extra, chain)...)
	unsigned := withoutSignature(r)
	for i := range cands {
		vo := cands[i].amd.X509Options(now, key)
		if vo == nil {
			continue
		}
		att := &spb.Attestation{Report: unsigned, CertificateChain: &spb.CertificateChain{}}
		if key == abi.VlekReportSigner {
			att.CertificateChain.VlekCert = leaf.Raw
		} else {
			att.CertificateChain.VcekCert = leaf.Raw
		}
		quietLibraryLog()
		err := verify.SnpAttestation(att, &verify.Options{
			DisableCertFetching: true,
			Now:                 now,
			TrustedRoots:        map[string][]*trust.AMDRootCerts{cands[i].amd.GetProductLine(): {cands[i].amd}},
		})
		if err == nil || chainPassed(err) {
			return &cands[i], nil, tried
		}
		if _, err := leaf.Verify(*vo); err != nil {
			cn := cands[i].amd.ProductCerts.Ark.Subject.CommonName
			tried = tried.WithDetail(fmt.Sprintf("%s: %v", cn, err), fmt.Sprintf("%s 루트로 검증 실패: %v", cn, err))
			continue
		}
		return &cands[i], err, tried
	}
	return nil, nil, tried
}

// withoutSignature is the report findRoot hands go-sev-guest. It is decoded again from the
// bytes read rather than cloned: proto.Clone's first use in a process sets up protobuf
// reflection for the message type, which cost more CPU than the decoding.
func withoutSignature(r *Report) *spb.Report {
	p, err := abi.ReportToProto(r.Raw)
	if err != nil { // not a report Parse made
		p = proto.CloneOf(r.Proto)
	}
	p.Signature = nil
	return p
}

// chainPassed recognises the refusal of the report without a signature that findRoot hands
// go-sev-guest: the refusal of SnpAttestation's last step, after the whole chain passed.
// TestChainPassedIsTheLastStep holds go-sev-guest to that order.
func chainPassed(err error) bool {
	return strings.HasPrefix(err.Error(), "could not interpret report: signature length is 0,")
}

// chainCheck is snp.chain's verdict on what findRoot found.
func chainCheck(r *Report, chain Chain, leaf *x509.Certificate, key abi.ReportSigner, matched *root, gsgErr error, tried check.Check, now time.Time) check.Check {
	if matched == nil {
		first, firstKO := "no trusted root has an intermediate for this key", "이 키에 맞는 중간 인증서를 가진 신뢰 루트가 없습니다"
		if len(tried.Details) > 0 {
			first, firstKO = tried.Details[0], tried.DetailsKO[0]
		}
		var c check.Check
		if saysSimulated(leaf) || (chain.ASK != nil && saysSimulated(chain.ASK)) || (chain.ARK != nil && saysSimulated(chain.ARK)) {
			c = check.Failf(IDChain, "the %v comes from cvmscope's simulated CVM, whose test roots are not trusted here: pass --trust-simulated to trust them (they prove nothing about real hardware)", key).
				KO("%v가 cvmscope의 시뮬레이션 CVM에서 왔고, 그 테스트 루트는 여기서 신뢰하지 않습니다. 신뢰하려면 --trust-simulated를 넘깁니다(실제 하드웨어에 대해서는 아무것도 증명하지 않습니다)", key)
		} else {
			at := now.UTC().Format(time.RFC3339)
			c = check.Failf(IDChain, "the %v (issuer %q) does not verify up to any trusted root at %s (%s)", key, leaf.Issuer.CommonName, at, first).
				KO("%v(발급자 %q)가 %s 시점에 어떤 신뢰 루트까지도 검증되지 않습니다(%s)", key, leaf.Issuer.CommonName, at, firstKO)
		}
		c.Details, c.DetailsKO = tried.Details, tried.DetailsKO
		return c
	}
	rootEN, rootKO := matched.describe()
	if err := gsgErr; err != nil {
		return check.Failf(IDChain, "the %v chains to %s, but go-sev-guest rejects it", key, rootEN).
			KO("%v가 %s까지 이어지지만 go-sev-guest가 거부합니다", key, rootKO).
			WithDetail("go-sev-guest: "+err.Error(), fault.QuoteKO("go-sev-guest 오류 원문", err.Error()))
	}
	pc := matched.amd.ProductCerts
	ica := pc.Ask
	if key == abi.VlekReportSigner {
		ica = pc.Asvk
	}
	at := now.UTC().Format(time.RFC3339)
	c := check.Passf(IDChain, "%v → %s → %s verified up to %s; validity at %s; revocation not checked",
		key, ica.Subject.CommonName, pc.Ark.Subject.CommonName, rootEN, at).
		KO("%v → %s → %s 체인을 %s까지 검증했습니다. 유효기간은 %s 기준이며, 폐기 여부는 확인하지 않았습니다",
			key, ica.Subject.CommonName, pc.Ark.Subject.CommonName, rootKO, at)
	srcEN, srcKO := productSource(r, chain)
	c = c.WithDetail(certLine(key.String(), leaf)).
		WithDetail(certLine("intermediate", ica)).
		WithDetail(certLine("root", pc.Ark)).
		WithDetail("product line "+matched.amd.GetProductLine()+srcEN, "제품군 "+matched.amd.GetProductLine()+srcKO)
	for _, sup := range []struct {
		role      string
		got, used *x509.Certificate
	}{{"ASK", chain.ASK, ica}, {"ARK", chain.ARK, pc.Ark}} {
		switch {
		case sup.got == nil:
			c = c.WithDetail(fmt.Sprintf("no %s supplied: the trusted copy was used", sup.role),
				fmt.Sprintf("%s가 주어지지 않아 신뢰하는 사본을 사용했습니다", sup.role))
		case sup.got.Equal(sup.used):
			c = c.WithDetail(fmt.Sprintf("the supplied %s is byte-identical to the trusted one", sup.role),
				fmt.Sprintf("주어진 %s가 신뢰하는 것과 바이트 단위로 같습니다", sup.role))
		default:
			c = c.WithDetail(fmt.Sprintf("the supplied %s (%q) is not the trusted one and was ignored", sup.role, sup.got.Subject.CommonName),
				fmt.Sprintf("주어진 %s(%q)는 신뢰하는 것이 아니어서 무시했습니다", sup.role, sup.got.Subject.CommonName))
		}
	}
	return c
}

func productSource(r *Report, chain Chain) (en, ko string) {
	if r.ProductLine() != "" {
		return " (from the report's CPUID)", "(보고서의 CPUID에서)"
	}
	if chain.Product() != "" {
		return " (from the certificate names)", "(인증서 이름에서)"
	}
	return "", ""
}

// certRoleKO names a certificate's role in Korean; key names (VCEK, VLEK) stay as they are.
var certRoleKO = map[string]string{"intermediate": "중간", "root": "루트"}

// certLine describes one certificate of the chain, in English and Korean.
func certLine(role string, c *x509.Certificate) (en, ko string) {
	fp := sha256.Sum256(c.Raw)
	from, to, sum := c.NotBefore.UTC().Format("2006-01-02"), c.NotAfter.UTC().Format("2006-01-02"), hex.EncodeToString(fp[:8])
	roleKO := role
	if k, ok := certRoleKO[role]; ok {
		roleKO = k
	}
	return fmt.Sprintf("%s: CN=%s, issuer CN=%s, valid %s to %s, SHA-256 %s", role, c.Subject.CommonName, c.Issuer.CommonName, from, to, sum),
		fmt.Sprintf("%s 인증서: CN=%s, 발급자 CN=%s, 유효기간 %s ~ %s, SHA-256 %s", roleKO, c.Subject.CommonName, c.Issuer.CommonName, from, to, sum)
}

// expectedProduct is the product line the report (v3+ CPUID) or the certificate names state.
func expectedProduct(r *Report, chain Chain) string {
	if pl := r.ProductLine(); pl != "" {
		return pl
	}
	return chain.Product()
}

// amdRoots are AMD's roots for every product line, the expected one first (so that its
// error leads when none verifies), with the intermediate that matches key.
func amdRoots(key abi.ReportSigner, first string) []root {
	lines := []string{"Milan", "Genoa", "Turin"}
	if i := slices.Index(lines, first); i > 0 {
		lines[0], lines[i] = lines[i], lines[0]
	}
	var out []root
	for _, pl := range lines {
		if key == abi.VlekReportSigner {
			if rc := vlekRoots()[pl]; rc != nil {
				out = append(out, root{amd: rc})
			}
			continue
		}
		if rc, err := trust.GetDefaultRootCerts(pl); err == nil {
			out = append(out, root{amd: rc})
		}
	}
	return out
}

// vlekRoots holds AMD's ASVK+ARK bundles, which go-sev-guest embeds but does not preload.
// They are parsed when a VLEK-signed report first needs them, not at every start.
var vlekRoots = sync.OnceValue(func() map[string]*trust.AMDRootCerts {
	m := map[string]*trust.AMDRootCerts{}
	for pl, pemBytes := range map[string][]byte{
		"Milan": trust.AskArkMilanVlekBytes,
		"Genoa": trust.AskArkGenoaVlekBytes,
		"Turin": trust.AskArkTurinVlekBytes,
	} {
		rc := trust.AMDRootCertsProduct(pl)
		if err := rc.FromKDSCertBytes(pemBytes); err == nil && rc.ProductCerts.Asvk != nil && rc.ProductCerts.Ark != nil {
			m[pl] = rc
		}
	}
	return m
})

func extraRoots(extra []Roots, chain Chain) []root {
	var out []root
	for _, x := range extra {
		if x.ARK == nil {
			continue
		}
		ica := x.ASK
		if ica == nil {
			ica = chain.ASK
		}
		pl := x.Product
		if pl == "" && ica != nil {
			pl = productFromCN(ica.Subject.CommonName)
		}
		if pl == "" {
			pl = productFromCN(x.ARK.Subject.CommonName)
		}
		pc := &trust.ProductCerts{Ark: x.ARK}
		if ica != nil && strings.HasPrefix(ica.Subject.CommonName, "SEV-VLEK") {
			pc.Asvk = ica
		} else {
			pc.Ask = ica
		}
		rc := trust.AMDRootCertsProduct(pl)
		rc.ProductCerts = pc
		out = append(out, root{amd: rc, extra: true, simulated: saysSimulated(x.ARK) || saysSimulated(x.ASK)})
	}
	return out
}

// fetchVCEK asks AMD KDS for the VCEK (only with Options.AllowNetwork), bounded in time and
// through cvmscope's own getter: go-sev-guest's default one retries for minutes and reads
// bodies without limit.
func fetchVCEK(r *Report, chain Chain, now time.Time, opts Options) (*x509.Certificate, error) {
	ctx := opts.Context
	if ctx == nil {
		ctx = context.Background()
	}
	total := opts.KDSTimeout
	if total <= 0 {
		total = DefaultKDSTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, total)
	defer cancel()
	// go-sev-guest quotes a getter's error as text; the getter keeps it so that a fetch that
	// got no answer is said as a network failure (exit 3), with its kind and Korean.
	var failed error
	vo := &verify.Options{
		Now:    now,
		Getter: kdsGetter{client: opts.KDSClient, limits: httpx.Limits{Attempt: min(total, DefaultKDSAttemptTimeout), MaxBody: 64 << 10}, failed: &failed},
	}
	if r.ProductLine() == "" {
		if p, err := kds.ParseProductLine(chain.Product()); err == nil {
			vo.Product = p
		}
	}
	quietLibraryLog()
	att, err := verify.GetAttestationFromReportContext(ctx, r.Proto, vo)
	if err != nil {
		if failed != nil {
			return nil, kdsFailure(err, failed)
		}
		return nil, err
	}
	return x509.ParseCertificate(att.GetCertificateChain().GetVcekCert())
}

// kdsGetter is go-sev-guest's HTTPS getter with the shared rules: a deadline per request, a
// dropped connection retried once, a bounded body, an interruption said as such.
type kdsGetter struct {
	client *http.Client
	limits httpx.Limits
	// failed, when set, receives the last request's failure.
	failed *error
}

func (g kdsGetter) Get(u string) ([]byte, error) { return g.GetContext(context.Background(), u) }

func (g kdsGetter) GetContext(ctx context.Context, u string) ([]byte, error) {
	b, status, err := g.get(ctx, u)
	// No answer, or an answer saying "later" (429, 5xx), is the network's failure. Another
	// status (404: AMD knows no such chip or TCB, as for a made-up report) is a verdict on
	// the evidence, left to go-sev-guest's error and evidence.unverified (exit 2).
	if err != nil && g.failed != nil && (status == 0 || status == http.StatusTooManyRequests || status >= 500) {
		*g.failed = err
	}
	return b, err
}

func (g kdsGetter) get(ctx context.Context, u string) ([]byte, int, error) {
	op := "AMD KDS GET " + u
	if pu, err := url.Parse(u); err == nil {
		op = "AMD KDS GET " + pu.Path
	}
	resp, err := httpx.Get(ctx, g.client, httpx.Request{Op: op, Method: http.MethodGet, URL: u}, g.limits)
	if err != nil {
		return nil, 0, err
	}
	switch {
	case resp.Status == http.StatusTooManyRequests:
		return nil, resp.Status, fault.Korean(fmt.Errorf("%s: HTTP 429, AMD KDS is rate-limiting this address; wait a minute", op),
			op+": HTTP 429, AMD KDS가 이 주소의 요청 수를 제한하고 있습니다. 1분 기다립니다", "")
	case resp.Status != http.StatusOK:
		return nil, resp.Status, fault.Korean(fmt.Errorf("%s: HTTP %d", op, resp.Status), fmt.Sprintf("%s: AMD KDS가 HTTP %d로 응답했습니다", op, resp.Status), "")
	}
	return resp.Body, resp.Status, nil
}

// kdsFailure is a VCEK fetch that got no usable answer from AMD KDS: go-sev-guest's words
// (err), with the getter's failure (cause) kept in the chain for its kind: an interruption
// stays one, anything else is a network failure.
func kdsFailure(err, cause error) error {
	e := &kdsError{msg: err.Error(), cause: cause}
	if fault.KindOf(cause) == fault.Interrupted || httpx.FailureOf(cause) == httpx.Interrupted {
		return httpx.Fault(e, "")
	}
	causeKO, _ := fault.MessageIn(cause, "ko")
	var he *httpx.Error
	switch {
	case errors.As(cause, &he):
		causeKO = he.KO()
	case causeKO == cause.Error():
		causeKO = fault.QuoteKO("오류 원문", causeKO)
	}
	return fault.Korean(fault.WithHint(fault.Network, e,
		"check network access to AMD KDS (kdsintf.amd.com, and HTTPS_PROXY) and run again, or supply the VCEK certificate instead: "+THIMHint),
		"AMD KDS에서 인증서를 받지 못했습니다: "+causeKO,
		"AMD KDS(kdsintf.amd.com 및 HTTPS_PROXY)에 대한 네트워크 접근을 확인한 뒤 다시 실행하거나, 대신 VCEK 인증서를 넘깁니다. "+THIMHintKO)
}

type kdsError struct {
	msg   string
	cause error
}

func (e *kdsError) Error() string { return e.msg }
func (e *kdsError) Unwrap() error { return e.cause }

func saysSimulated(c *x509.Certificate) bool { return certs.SaysSimulated(c) }
