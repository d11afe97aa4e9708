package workshop

import (
	"cmp"
	"fmt"
	"strings"
	"sync"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/present"
)

// IDInputUnused fails for a file that was recognised but that no check read: a run that
// ignored part of what it was given must not pass.
const IDInputUnused = "input.unused"

// consumers maps each kind of input file to the id prefixes of the checks that read it. A
// file counts as used when one of those checks passed, failed or warned; a skip did not read
// it. The empty prefix (a bundle) matches every check.
// Built on first use, not at init: only an inspect of files reads it.
var consumers = sync.OnceValue(func() map[evidence.Kind][]string {
	return map[evidence.Kind][]string{
		evidence.KindBundle:        {""},
		evidence.KindHCLReport:     {"hcl.", "snp.", "tdx.", "ak."},
		evidence.KindSNPReport:     {"snp.", "hcl.binding"},
		evidence.KindTDReport:      {"tdx.", "hcl.binding"},
		evidence.KindTDQuote:       {"tdx."},
		evidence.KindTPMAttest:     {"tpm.quote."},
		evidence.KindSignature:     {"tpm.quote.signature"},
		evidence.KindPCRs:          {"tpm.quote.pcr-digest", "eventlog.replay"},
		evidence.KindEventLog:      {"eventlog."},
		evidence.KindCertificates:  {"snp.", "tdx.", "ak.certificate", "certs."},
		evidence.KindPublicKey:     {"ak.", "tpm.quote.signature"},
		evidence.KindTPMPublic:     {"ak.", "tpm.quote.signature"},
		evidence.KindCRL:           {"tdx.", "crl.", "certs.chain"},
		evidence.KindJWT:           {"jwt.", "policy."},
		evidence.KindJWKS:          {"jwt.signature"},
		evidence.KindRuntimeClaims: {"hcl.", "ak."},
		evidence.KindTCBInfo:       {"tdx.tcb", "tdx.collateral."},
		evidence.KindQEIdentity:    {"tdx.tcb", "tdx.collateral."},
		evidence.KindTrustee:       {"hcl.", "snp.", "tdx.", "ak.", "tpm.quote."},
		evidence.KindTrusteeQuote:  {"tpm.quote."},
		evidence.KindTPMTSig:       {"tpm.quote.signature"},
		evidence.KindPCRFile:       {"tpm.quote.pcr-digest", "eventlog.replay"},
		evidence.KindPCRValues:     {"tpm.quote.pcr-digest", "eventlog.replay"},
		evidence.KindHCLBody:       {"snp.", "tdx.", "hcl."},
		evidence.KindGoTPM:         {"tpm.quote.", "ak.", "eventlog.", "snp.", "tdx."},
		evidence.KindConstellation: {"tpm.quote.", "ak.", "snp.", "tdx.", "hcl."},
	}
})

// needs says what else a kind needs before a check can read it.
// Built on first use, not at init: only an inspect of files reads it.
var needs = sync.OnceValue(func() map[evidence.Kind]string {
	return map[evidence.Kind]string{
		evidence.KindBundle:        "the bundle holds no evidence that any check could read",
		evidence.KindHCLReport:     "its report type carries nothing a check reads",
		evidence.KindSNPReport:     "a SEV-SNP report is checked with its VCEK: supply the VCEK certificate (PEM/DER), or add --network to fetch it from AMD KDS",
		evidence.KindTDReport:      "a TDREPORT is checked against its TD quote and bound to runtime claims: supply the TD quote or the runtime claims",
		evidence.KindTDQuote:       "a TD quote carries its PCK chain and is checked on its own, but not beside a SEV-SNP report, which was checked in its place: give the TD quote in a set (or run) of its own",
		evidence.KindTPMAttest:     "a TPM quote needs its signature file and the AK public key, or an HCL report whose runtime claims carry HCLAkPub",
		evidence.KindSignature:     "a TPM quote signature needs the TPMS_ATTEST it signs and the AK public key or an HCL report",
		evidence.KindPCRs:          "PCR values are checked against a TPM quote (with its signature and AK) or by replaying an event log: supply one of them",
		evidence.KindEventLog:      "an event log is replayed against PCR values: supply the quoted PCR values (24 × 32 bytes, or JSON)",
		evidence.KindCertificates:  "certificates are checked as the chain of what they vouch for: an HCL or SEV-SNP report (VCEK chain), a TD quote (PCK chain, or Intel's TCB signing chain with TCB info), or the AK public key (AK certificate)",
		evidence.KindPublicKey:     "an AK public key checks a TPM quote and its binding to the runtime claims: supply the quote (TPMS_ATTEST and signature) or an HCL report",
		evidence.KindTPMPublic:     "an AK public area checks a TPM quote and its binding to the runtime claims: supply the quote (TPMS_ATTEST and signature) or an HCL report",
		evidence.KindCRL:           "a CRL is checked with a TD quote whose PCK chain it covers: supply the TD quote",
		evidence.KindJWT:           "no check read the token",
		evidence.KindJWKS:          "a key set among the inputs is never trusted on its own (a forged token would bring one): pass it with --jwks FILE to verify the token with it",
		evidence.KindRuntimeClaims: "runtime claims are bound to a report's REPORT_DATA or checked against the AK: supply the SEV-SNP report or TDREPORT, or the AK public key",
		evidence.KindTCBInfo:       "Intel TCB info judges a TD quote's TCB: supply the TD quote and Intel's TCB signing chain",
		evidence.KindQEIdentity:    "Intel's QE identity judges a TD quote's quoting enclave: supply the TD quote and Intel's TCB signing chain",
		evidence.KindTrustee:       "no check read the evidence it holds",
		evidence.KindTrusteeQuote:  "a TPM quote needs the AK public key or an HCL report whose runtime claims carry HCLAkPub",
		evidence.KindTPMTSig:       "a TPM quote signature needs the TPMS_ATTEST it signs (tpm2_quote -m) and the AK public key or an HCL report",
		evidence.KindPCRFile:       "PCR values are checked against a TPM quote (with its signature and AK) or by replaying an event log: supply one of them",
		evidence.KindPCRValues:     "PCR values are checked against a TPM quote (with its signature and AK) or by replaying an event log: supply one of them",
		evidence.KindHCLBody:       "an HCL report body is checked with its VCEK (SEV-SNP) or TD quote (TDX) and bound to its runtime claims: supply them",
		evidence.KindGoTPM:         "a go-tpm-tools attestation's quote is checked with its AK: no check read it",
		evidence.KindConstellation: "no check read the attestation document",
	}
})

// needsKO is needs in Korean.
// Built on first use, not at init: only an inspect of files reads it.
var needsKO = sync.OnceValue(func() map[evidence.Kind]string {
	return map[evidence.Kind]string{
		evidence.KindBundle:        "번들에 어떤 검사도 읽을 수 있는 증거가 없습니다",
		evidence.KindHCLReport:     "이 보고서 유형에는 검사가 읽는 내용이 없습니다",
		evidence.KindSNPReport:     "SEV-SNP 보고서는 VCEK로 검증합니다. VCEK 인증서(PEM/DER)를 함께 주거나, --network를 더해 AMD KDS에서 받아 옵니다",
		evidence.KindTDReport:      "TDREPORT는 TD 쿼트와 대조하고 런타임 클레임에 바인딩해 검증합니다. TD 쿼트나 런타임 클레임을 함께 줍니다",
		evidence.KindTDQuote:       "TD 쿼트는 PCK 인증서 체인을 담고 있어 그것만으로 검증하지만, SEV-SNP 보고서와 함께 주면 그 보고서를 대신 검증합니다. TD 쿼트는 따로(다른 집합이나 실행에서) 줍니다",
		evidence.KindTPMAttest:     "TPM 쿼트에는 서명 파일과 AK 공개 키, 또는 런타임 클레임에 HCLAkPub이 있는 HCL 보고서가 필요합니다",
		evidence.KindSignature:     "TPM 쿼트 서명에는 서명 대상인 TPMS_ATTEST와 AK 공개 키 또는 HCL 보고서가 필요합니다",
		evidence.KindPCRs:          "PCR 값은 TPM 쿼트(서명과 AK 포함)와 대조하거나 이벤트 로그를 재생해 검증합니다. 둘 중 하나를 함께 줍니다",
		evidence.KindEventLog:      "이벤트 로그는 PCR 값과 대조해 재생합니다. 쿼트된 PCR 값(24 × 32바이트 또는 JSON)을 함께 줍니다",
		evidence.KindCertificates:  "인증서는 그것이 보증하는 대상의 체인으로 검증합니다. HCL 또는 SEV-SNP 보고서(VCEK 체인), TD 쿼트(PCK 체인, 또는 TCB 정보와 함께 Intel TCB 서명 체인), AK 공개 키(AK 인증서) 중 하나를 함께 줍니다",
		evidence.KindPublicKey:     "AK 공개 키는 TPM 쿼트와 런타임 클레임 바인딩을 검증합니다. 쿼트(TPMS_ATTEST와 서명)나 HCL 보고서를 함께 줍니다",
		evidence.KindTPMPublic:     "AK 공개 영역은 TPM 쿼트와 런타임 클레임 바인딩을 검증합니다. 쿼트(TPMS_ATTEST와 서명)나 HCL 보고서를 함께 줍니다",
		evidence.KindCRL:           "CRL은 그 CRL이 다루는 PCK 체인을 가진 TD 쿼트와 함께 검증합니다. TD 쿼트를 함께 줍니다",
		evidence.KindJWT:           "어떤 검사도 토큰을 읽지 않았습니다",
		evidence.KindJWKS:          "입력 파일 속 키 집합은 그것만으로는 신뢰하지 않습니다(위조된 토큰은 자기 키를 함께 가져옵니다). 이 키로 토큰을 검증하려면 --jwks FILE로 넘깁니다",
		evidence.KindRuntimeClaims: "런타임 클레임은 보고서의 REPORT_DATA에 바인딩하거나 AK와 대조해 검증합니다. SEV-SNP 보고서나 TDREPORT, 또는 AK 공개 키를 함께 줍니다",
		evidence.KindTCBInfo:       "Intel TCB 정보는 TD 쿼트의 TCB를 판단합니다. TD 쿼트와 Intel TCB 서명 체인을 함께 줍니다",
		evidence.KindQEIdentity:    "Intel QE identity는 TD 쿼트의 quoting enclave를 판단합니다. TD 쿼트와 Intel TCB 서명 체인을 함께 줍니다",
		evidence.KindTrustee:       "어떤 검사도 이 파일에 담긴 증거를 읽지 않았습니다",
		evidence.KindTrusteeQuote:  "TPM 쿼트에는 AK 공개 키, 또는 런타임 클레임에 HCLAkPub이 있는 HCL 보고서가 필요합니다",
		evidence.KindTPMTSig:       "TPM 쿼트 서명에는 서명 대상인 TPMS_ATTEST(tpm2_quote -m)와 AK 공개 키 또는 HCL 보고서가 필요합니다",
		evidence.KindPCRFile:       "PCR 값은 TPM 쿼트(서명과 AK 포함)와 대조하거나 이벤트 로그를 재생해 검증합니다. 둘 중 하나를 함께 줍니다",
		evidence.KindPCRValues:     "PCR 값은 TPM 쿼트(서명과 AK 포함)와 대조하거나 이벤트 로그를 재생해 검증합니다. 둘 중 하나를 함께 줍니다",
		evidence.KindHCLBody:       "HCL 보고서 본문은 VCEK(SEV-SNP)나 TD 쿼트(TDX)로 검증하고 런타임 클레임에 바인딩합니다. 이들을 함께 줍니다",
		evidence.KindGoTPM:         "go-tpm-tools 증명의 쿼트는 AK로 검증하는데, 어떤 검사도 읽지 않았습니다",
		evidence.KindConstellation: "어떤 검사도 증명 문서를 읽지 않았습니다",
	}
})

// inputChecks reports on every supplied file: a failing "<kind>.parse" check for a file of a
// recognised kind that did not parse, and a failing input.unused check for a file that no
// check in done read.
func inputChecks(files []evidence.FileInfo, done check.List) check.List {
	var out check.List
	for _, fi := range files {
		if fi.Kind == evidence.KindUnknown {
			out = append(out, check.Failf(fi.Kind.ParseCheck(), "%s", fi.Err).KO("%s", cmp.Or(fi.ErrKO, fi.Err)).WithSubject(fi.Path).
				WithDetail("what to do: the other files were checked without it; pass the file in one of the formats listed (README: Formats inspect reads), or leave it out",
					"조치 방법: 다른 파일은 이 파일 없이 검사했습니다. 나열된 형식 중 하나로 된 파일을 넘기거나(README: inspect가 읽는 형식), 이 파일을 뺍니다"))
			continue
		}
		if fi.Err != "" {
			out = append(out, check.Failf(fi.Kind.ParseCheck(), "%s (%d bytes) looks like %s but does not parse: %s", fi.Path, fi.Size, kindName(fi.Kind), fi.Err).
				KO("%s(%d바이트)은(는) %s(으)로 보이지만 구문 분석되지 않습니다: %s", fi.Path, fi.Size, kindNameKO(fi.Kind), cmp.Or(fi.ErrKO, fi.Err)).
				WithSubject(fi.Path).
				WithDetail("what to do: copy the file again from where it was saved (it is truncated or garbled), or pass the file that holds the "+kindName(fi.Kind),
					"조치 방법: 저장된 곳에서 파일을 다시 복사하거나(파일이 잘렸거나 손상되었습니다), "+kindNameKO(fi.Kind)+"이(가) 담긴 파일을 넘깁니다"))
			continue
		}
		if used(fi.Kind, done) {
			continue
		}
		why, whyKO := needs()[fi.Kind], needsKO()[fi.Kind]
		if why == "" {
			why, whyKO = "no check reads this kind of file", "이런 종류의 파일을 읽는 검사가 없습니다"
		}
		out = append(out, check.Failf(IDInputUnused, "%s was recognised as %s, but no check used it: %s", fi.Path, kindName(fi.Kind), why).
			KO("%s을(를) %s(으)로 인식했지만 어떤 검사도 쓰지 않았습니다: %s", fi.Path, kindNameKO(fi.Kind), whyKO).WithSubject(fi.Path))
	}
	return out
}

func used(k evidence.Kind, done check.List) bool {
	for _, c := range done {
		if c.Verdict == check.Skip {
			continue
		}
		for _, p := range consumers()[k] {
			if strings.HasPrefix(c.ID, p) {
				return true
			}
		}
	}
	return false
}

// kindNames are the kinds in words, for messages, in English and Korean side by side.
// Built on first use, not at init: only an inspect of files reads it.
var kindNames = sync.OnceValue(func() map[evidence.Kind]present.Text {
	return map[evidence.Kind]present.Text{
		evidence.KindBundle:        present.T("a cvmscope evidence bundle", "cvmscope 증거 번들"),
		evidence.KindHCLReport:     present.T("an HCL report", "HCL 보고서"),
		evidence.KindSNPReport:     present.T("a SEV-SNP report", "SEV-SNP 보고서"),
		evidence.KindTDReport:      present.T("a TDREPORT", "TDREPORT"),
		evidence.KindTDQuote:       present.T("a TD quote", "TD 쿼트"),
		evidence.KindTPMAttest:     present.T("a TPM quote (TPMS_ATTEST)", "TPM 쿼트(TPMS_ATTEST)"),
		evidence.KindSignature:     present.T("a quote signature", "쿼트 서명"),
		evidence.KindPCRs:          present.T("PCR values", "PCR 값"),
		evidence.KindEventLog:      present.T("a TCG event log", "TCG 이벤트 로그"),
		evidence.KindCertificates:  present.T("certificates", "인증서"),
		evidence.KindPublicKey:     present.T("an AK public key", "AK 공개 키"),
		evidence.KindTPMPublic:     present.T("an AK public key", "AK 공개 키"),
		evidence.KindCRL:           present.T("a CRL", "CRL"),
		evidence.KindJWT:           present.T("a JWT", "JWT"),
		evidence.KindJWKS:          present.T("a JWKS key set", "JWKS 키 집합"),
		evidence.KindRuntimeClaims: present.T("runtime claims", "런타임 클레임"),
		evidence.KindTCBInfo:       present.T("Intel TCB info", "Intel TCB 정보"),
		evidence.KindQEIdentity:    present.T("Intel QE identity", "Intel QE identity"),
		evidence.KindTrustee:       present.T("trustee evidence JSON", "trustee 증거 JSON"),
		evidence.KindTrusteeQuote:  present.T("a trustee TPM-quote JSON", "trustee TPM 쿼트 JSON"),
		evidence.KindTPMTSig:       present.T("a TPMT_SIGNATURE (tpm2_quote -s)", "TPMT_SIGNATURE(tpm2_quote -s)"),
		evidence.KindPCRFile:       present.T("a tpm2-tools PCR file (tpm2_quote -o)", "tpm2-tools PCR 파일(tpm2_quote -o)"),
		evidence.KindPCRValues:     present.T("PCR values", "PCR 값"),
		evidence.KindHCLBody:       present.T("an HCL report without its header", "헤더 없는 HCL 보고서"),
		evidence.KindGoTPM:         present.T("a go-tpm-tools attestation", "go-tpm-tools 증명"),
		evidence.KindUnknown:       present.T("an unknown file", "알 수 없는 파일"),
		evidence.KindConstellation: present.T("a Constellation attestation document", "Constellation 증명 문서"),
	}
})

// kindName is a kind in words, for messages.
func kindName(k evidence.Kind) string { return kindText(k).EN }

// kindNameKO is kindName in Korean.
func kindNameKO(k evidence.Kind) string { return kindText(k).KO }

func kindText(k evidence.Kind) present.Text {
	if t, ok := kindNames()[k]; ok {
		return t
	}
	q := fmt.Sprintf("%q", string(k))
	return present.T(q, q)
}

// withChecks adds checks to a built page, so that its verdict and checks table include them.
func withChecks(p present.Page, extra check.List, lookup func(string) (present.Text, present.Text)) present.Page {
	if len(extra) == 0 {
		return p
	}
	p.Checks = append(p.Checks, extra...)
	p.Verdict = check.Fold(p.Checks)
	p.Sections = append(p.Sections, present.Section{ID: "inputs", Title: present.T("Input files", "입력 파일"),
		Kind: present.Checks, Rows: present.CheckRows(extra, lookup)})
	return p
}
