package workshop

import (
	"fmt"
	"strings"

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
var consumers = map[evidence.Kind][]string{
	evidence.KindBundle:        {""},
	evidence.KindHCLReport:     {"hcl.", "snp.", "tdx.", "ak."},
	evidence.KindSNPReport:     {"snp.", "hcl.binding"},
	evidence.KindTDReport:      {"tdx.", "hcl.binding"},
	evidence.KindTDQuote:       {"tdx."},
	evidence.KindTPMAttest:     {"tpm.quote."},
	evidence.KindSignature:     {"tpm.quote.signature"},
	evidence.KindPCRs:          {"tpm.quote.pcr-digest", "eventlog.replay"},
	evidence.KindEventLog:      {"eventlog."},
	evidence.KindCertificates:  {"snp.", "tdx.", "ak.certificate", "certs.parse"},
	evidence.KindPublicKey:     {"ak.", "tpm.quote.signature"},
	evidence.KindTPMPublic:     {"ak.", "tpm.quote.signature"},
	evidence.KindCRL:           {"tdx."},
	evidence.KindJWT:           {"jwt.", "policy."},
	evidence.KindJWKS:          {"jwt.signature"},
	evidence.KindRuntimeClaims: {"hcl.", "ak."},
	evidence.KindTCBInfo:       {"tdx.tcb"},
	evidence.KindQEIdentity:    {"tdx.tcb"},
}

// needs says what else a kind needs before a check can read it.
var needs = map[evidence.Kind]string{
	evidence.KindBundle:        "the bundle holds no evidence that any check could read",
	evidence.KindHCLReport:     "its report type carries nothing a check reads",
	evidence.KindSNPReport:     "a SEV-SNP report is checked with its VCEK: supply the VCEK certificate (PEM/DER), or add --network to fetch it from AMD KDS",
	evidence.KindTDReport:      "a TDREPORT is checked against its TD quote and bound to runtime claims: supply the TD quote or the runtime claims",
	evidence.KindTDQuote:       "a TD quote is checked with its PCK chain: the quote carries none, so supply it (PEM)",
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
}

// inputChecks reports on every supplied file: a failing "<kind>.parse" check for a file of a
// recognised kind that did not parse, and a failing input.unused check for a file that no
// check in done read.
func inputChecks(files []evidence.FileInfo, done check.List) check.List {
	var out check.List
	for _, fi := range files {
		if fi.Err != "" {
			out = append(out, check.Failf(fi.Kind.ParseCheck(), "%s (%d bytes) looks like %s but does not parse: %s", fi.Path, fi.Size, kindName(fi.Kind), fi.Err).
				WithSubject(fi.Path).
				WithDetails("what to do: copy the file again from where it was saved (it is truncated or garbled), or pass the file that holds the "+kindName(fi.Kind)))
			continue
		}
		if used(fi.Kind, done) {
			continue
		}
		why := needs[fi.Kind]
		if why == "" {
			why = "no check reads this kind of file"
		}
		out = append(out, check.Failf(IDInputUnused, "%s was recognised as %s, but no check used it: %s", fi.Path, kindName(fi.Kind), why).WithSubject(fi.Path))
	}
	return out
}

func used(k evidence.Kind, done check.List) bool {
	for _, c := range done {
		if c.Verdict == check.Skip {
			continue
		}
		for _, p := range consumers[k] {
			if strings.HasPrefix(c.ID, p) {
				return true
			}
		}
	}
	return false
}

// kindName is a kind in words, for messages.
func kindName(k evidence.Kind) string {
	switch k {
	case evidence.KindBundle:
		return "a cvmscope evidence bundle"
	case evidence.KindHCLReport:
		return "an HCL report"
	case evidence.KindSNPReport:
		return "a SEV-SNP report"
	case evidence.KindTDReport:
		return "a TDREPORT"
	case evidence.KindTDQuote:
		return "a TD quote"
	case evidence.KindTPMAttest:
		return "a TPM quote (TPMS_ATTEST)"
	case evidence.KindSignature:
		return "a quote signature"
	case evidence.KindPCRs:
		return "PCR values"
	case evidence.KindEventLog:
		return "a TCG event log"
	case evidence.KindCertificates:
		return "certificates"
	case evidence.KindPublicKey, evidence.KindTPMPublic:
		return "an AK public key"
	case evidence.KindCRL:
		return "a CRL"
	case evidence.KindJWT:
		return "a JWT"
	case evidence.KindJWKS:
		return "a JWKS key set"
	case evidence.KindRuntimeClaims:
		return "runtime claims"
	case evidence.KindTCBInfo:
		return "Intel TCB info"
	case evidence.KindQEIdentity:
		return "Intel QE identity"
	}
	return fmt.Sprintf("%q", string(k))
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
