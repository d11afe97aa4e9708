package pages

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/google/go-tpm/tpm2"

	"github.com/cvmscope/cvmscope/attestation/akcert"
	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/explain"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/tpmquote"
)

// tpmInfoSection shows TpmInfo as the body carries it, each value decoded and described.
func tpmInfoSection(v RequestView, req request) present.Section {
	ti := req.info.TpmInfo
	var r request // collects decode errors of this section only
	rows := []present.Row{}

	cert := ko(mrow(explain.KindRequest, "TpmInfo.AikCert", "missing"), "", "없음")
	if der := r.b64("TpmInfo.AikCert", ti.AikCert); len(der) > 0 {
		if c, err := akcert.Parse(der); err == nil {
			cert.Value, cert.ValueKO = certLine(c), certLineKO(c)
		} else {
			cert.Value = fmt.Sprintf("%d bytes, not a certificate: %v", len(der), err)
			cert.ValueKO = fmt.Sprintf("%s, 인증서가 아님: %s", bytesKO(len(der)), errKO(err))
			cert.Verdict = check.Warn
			_, cert.Hint = explain.Check("ak.certificate")
		}
	}
	rows = append(rows, withChecks(cert, v.Checks, "ak.certificate"))

	ak := ko(mrow(explain.KindRequest, "TpmInfo.AikPub", "missing"), "", "없음")
	if b := r.b64("TpmInfo.AikPub", ti.AikPub); len(b) > 0 {
		if pub, err := tpmquote.ParsePublic(b); err == nil {
			ak.Value = fmt.Sprintf("RSA-%d attestation key, %d bytes TPM2B_PUBLIC", pub.N.BitLen(), len(b))
			ak.ValueKO = fmt.Sprintf("RSA-%d 증명 키(AK), TPM2B_PUBLIC %s", pub.N.BitLen(), bytesKO(len(b)))
		} else {
			ak.Value, ak.ValueKO = unreadable(len(b), err)
			ak.Verdict = check.Warn
			_, ak.Hint = explain.Check("ak.parse")
		}
	}
	rows = append(rows, ak)

	rows = append(rows, mrow(explain.KindRequest, "TpmInfo.PcrSet", tpmquote.PCRList(ti.PcrSet)))
	pcrs := ko(mrow(explain.KindRequest, "TpmInfo.PCRs", fmt.Sprintf("%d SHA-256 value%s", len(ti.PCRs), plural(len(ti.PCRs)))),
		"", fmt.Sprintf("SHA-256 값 %d개", len(ti.PCRs)))
	var values []string
	for _, p := range ti.PCRs {
		values = append(values, fmt.Sprintf("PCR%d = %x", p.Index, r.b64("TpmInfo.PCRs", p.Digest)))
	}
	pcrs.Detail = strings.Join(values, "\n")
	rows = append(rows, pcrs)

	quote := ko(mrow(explain.KindRequest, "TpmInfo.PcrQuote", "missing"), "", "없음")
	if b := r.b64("TpmInfo.PcrQuote", ti.PcrQuote); len(b) > 0 {
		quote.Value = fmt.Sprintf("%d bytes TPMS_ATTEST", len(b))
		quote.ValueKO = "TPMS_ATTEST " + bytesKO(len(b))
		if a, err := tpmquote.ParseAttest(b); err == nil {
			quote.Value += " (" + a.TypeName() + ")"
			quote.ValueKO += " (" + attestTypeKO(a) + ")"
			var l lines
			for _, f := range a.Fields() {
				l.add(f.Name+": "+f.Value, or(attestKeyKO()[f.Name], f.Name)+": "+or(attestValueKO(a, f), f.Value))
			}
			l.set(&quote)
		}
	}
	rows = append(rows, withChecks(quote, v.Checks, "tpm.quote.signature"))
	rows = append(rows, sizeRow("TpmInfo.PcrSignature", r.b64("TpmInfo.PcrSignature", ti.PcrSignature)))

	logs := ko(mrow(explain.KindRequest, "TcgLogs", "empty: MAA gets no event log"), "", "비어 있음: MAA가 이벤트 로그를 받지 못합니다")
	if b := r.b64("TcgLogs", req.info.TcgLogs); len(b) > 0 {
		logs.Value = fmt.Sprintf("%d bytes of TCG event log", len(b))
		logs.ValueKO = "TCG 이벤트 로그 " + bytesKO(len(b))
	} else {
		logs.Verdict = check.Warn
		// The fix for reading the log is preflight.eventlog's, which knows whether cvmscope
		// already runs as root.
		_, fix := explain.Check("preflight.eventlog")
		logs.Hint = present.T("Without the event log MAA cannot derive secureboot and the other boot claims, and its default policy may refuse the request. "+fix.EN,
			"이벤트 로그가 없으면 MAA가 secureboot 등 부팅 클레임을 만들 수 없어 기본 정책이 요청을 거부할 수 있습니다. "+fix.KO)
	}
	rows = append(rows, logs)
	if r.bodyVerdict == check.Fail {
		rows = append(rows, decodeErrorRow(r.bodyDetail))
	}
	return present.Section{ID: "tpm", Title: present.T("vTPM evidence (TpmInfo)", "vTPM 증거 (TpmInfo)"), Kind: present.Fields, Rows: rows}
}

// sizeRow describes a byte field by its size, or says it is missing.
func sizeRow(key string, b []byte) present.Row {
	if len(b) == 0 {
		return ko(mrow(explain.KindRequest, key, "missing"), "", "없음")
	}
	return ko(mrow(explain.KindRequest, key, fmt.Sprintf("%d bytes", len(b))), "", bytesKO(len(b)))
}

// decodeErrorRow reports fields of the body that did not decode.
func decodeErrorRow(details lines) present.Row {
	row := ko(mrow(explain.KindRequest, "body", strings.Join(details.en, "; ")), "", strings.Join(details.ko, "; "))
	row.Verdict = check.Fail
	row.Hint = present.T("Build the request again from the evidence; never edit the body by hand.",
		"증거로 요청을 다시 만듭니다. 본문을 직접 고치지 않습니다.")
	return row
}

// encKeySection shows the ephemeral key: what it is, the PCR policy it is bound to and
// the AK's certification of it, with the verdicts of the checks run on them.
func encKeySection(v RequestView, req request) present.Section {
	ti := req.info.TpmInfo
	var r request
	pub := r.b64("TpmInfo.EncKeyPub", ti.EncKeyPub)
	key := ko(mrow(explain.KindRequest, "TpmInfo.EncKeyPub", "missing"), "", "없음")
	policy := ko(mrow(explain.KindRequest, "policy", "unknown: no EncKeyPub"), "정책", "알 수 없음: EncKeyPub 없음")
	if len(pub) > 0 {
		pt, err := tpmquote.ParsePublicArea(pub)
		if err != nil {
			key.Value, key.ValueKO = unreadable(len(pub), err)
			key.Verdict = check.Fail
			_, key.Hint = explain.Check("tpm.enckey.policy")
		} else {
			bits := 0
			if rp, err := pt.Parameters.RSADetail(); err == nil {
				bits = int(rp.KeyBits)
			}
			attrs, attrsKO := objectAttributes(pt.ObjectAttributes)
			key.Value = fmt.Sprintf("RSA-%d, %s, %d bytes TPM2B_PUBLIC", bits, attrs, len(pub))
			key.ValueKO = fmt.Sprintf("RSA-%d, %s, TPM2B_PUBLIC %s", bits, attrsKO, bytesKO(len(pub)))
			policy.Value = fmt.Sprintf("authPolicy %s", shortHex(pt.AuthPolicy.Buffer))
			policy.ValueKO = policy.Value
			if want := policyDigest(ti.PCRs, ti.PcrSet, &r); want != nil {
				op := "="
				if !bytes.Equal(want, pt.AuthPolicy.Buffer) {
					op = "≠"
				}
				policy.Value += " " + op + " PolicyPCR over PCRs " + tpmquote.PCRList(ti.PcrSet) + " with the values sent"
				policy.ValueKO += " " + op + " 보낸 PCR " + tpmquote.PCRList(ti.PcrSet) + " 값에 대한 PolicyPCR"
			}
			policy.Copy = fmt.Sprintf("%x", pt.AuthPolicy.Buffer)
		}
	}
	certify := ko(mrow(explain.KindRequest, "TpmInfo.EncKeyCertifyInfo", "missing"), "", "없음")
	if b := r.b64("TpmInfo.EncKeyCertifyInfo", ti.EncKeyCertifyInfo); len(b) > 0 {
		certify.Value = fmt.Sprintf("%d bytes TPMS_ATTEST", len(b))
		certify.ValueKO = "TPMS_ATTEST " + bytesKO(len(b))
		if a, err := tpmquote.ParseAttest(b); err == nil {
			certify.Value += fmt.Sprintf(" (%s), certified name %s", a.TypeName(), shortHex(a.CertifiedName))
			certify.ValueKO += fmt.Sprintf(" (%s), 인증된 키 이름 %s", attestTypeKO(a), shortHex(a.CertifiedName))
		}
	}
	rows := []present.Row{
		key,
		withChecks(policy, v.Checks, tpmquote.IDEncKeyPolicy),
		withChecks(certify, v.Checks, tpmquote.IDEncKeyCertify),
		sizeRow("TpmInfo.EncKeyCertifyInfoSignature", r.b64("TpmInfo.EncKeyCertifyInfoSignature", ti.EncKeyCertifyInfoSignature)),
	}
	if r.bodyVerdict == check.Fail {
		rows = append(rows, decodeErrorRow(r.bodyDetail))
	}
	return present.Section{ID: "enckey", Title: present.T("Ephemeral key MAA encrypts its answer to", "MAA가 응답을 암호화할 임시 키"), Kind: present.Fields,
		Note: present.T("Made in the NULL hierarchy, bound to the quoted PCRs, certified by the AK; only this vTPM in this boot state can open MAA's answer.",
			"NULL 계층에서 만들어 쿼트된 PCR에 묶고 AK로 인증한 키입니다. 이 부팅 상태의 이 vTPM만 MAA의 응답을 열 수 있습니다."),
		Rows: rows}
}

// policyDigest is the PolicyPCR digest of the PCR values the request sends.
func policyDigest(pcrs []struct {
	Index  int
	Digest string
}, set []int, r *request) []byte {
	m := map[int][]byte{}
	for _, p := range pcrs {
		m[p.Index] = r.b64("TpmInfo.PCRs", p.Digest)
	}
	d, err := tpmquote.PCRPolicyDigest(m, set)
	if err != nil {
		return nil
	}
	return d
}

// objectAttributes names the set attribute bits, as tpm2_readpublic does; the Korean keeps
// the bits' TPM names, which are what tpm2_readpublic prints.
func objectAttributes(a tpm2.TPMAObject) (en, ko string) {
	var names []string
	for _, f := range []struct {
		on   bool
		name string
	}{{a.FixedTPM, "fixedTPM"}, {a.STClear, "stClear"}, {a.FixedParent, "fixedParent"}, {a.SensitiveDataOrigin, "sensitiveDataOrigin"},
		{a.UserWithAuth, "userWithAuth"}, {a.AdminWithPolicy, "adminWithPolicy"}, {a.NoDA, "noDA"},
		{a.Restricted, "restricted"}, {a.Decrypt, "decrypt"}, {a.SignEncrypt, "sign"}} {
		if f.on {
			names = append(names, f.name)
		}
	}
	raw := binary.BigEndian.Uint32(tpm2.Marshal(a))
	return fmt.Sprintf("attributes 0x%08x (%s)", raw, strings.Join(names, "|")), fmt.Sprintf("속성 0x%08x (%s)", raw, strings.Join(names, "|"))
}
