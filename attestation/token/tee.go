package token

import (
	"encoding/base64"
	"encoding/hex"
	"strings"

	"github.com/cvmscope/cvmscope/attestation/check"
)

const compliantCVM = "azure-compliant-cvm"

var teeNames = map[string]string{"sevsnpvm": "SEV-SNP", "tdxvm": "TDX"}

func verifyTEE(c Claims, expectCVM bool) check.Check {
	typ := c.AttestationType()
	switch typ {
	case "azurevm":
		iso := c.IsolationTEE()
		if iso == nil {
			if expectCVM {
				return check.Warnf(IDTEE, "Trusted Launch VM, no hardware TEE claim (a Confidential VM was expected)").
					KO("Trusted Launch VM이며 하드웨어 TEE 클레임이 없습니다(Confidential VM(기밀 VM)을 기대했습니다)").
					WithDetail("the token has no x-ms-isolation-tee: MAA attested the vTPM and boot state only",
						"토큰에 x-ms-isolation-tee가 없습니다. MAA는 vTPM과 부팅 상태만 증명했습니다")
			}
			return check.Passf(IDTEE, "Trusted Launch VM, no hardware TEE claim (vTPM and boot state attested)").
				KO("Trusted Launch VM이며 하드웨어 TEE 클레임이 없습니다(vTPM과 부팅 상태를 증명했습니다)")
		}
		nested, _ := iso["x-ms-attestation-type"].(string)
		status, _ := iso["x-ms-compliance-status"].(string)
		return teeVerdict(nested, status, "x-ms-isolation-tee.", "Confidential VM (%s)", "Confidential VM(기밀 VM, %s)")
	case "sevsnpvm", "tdxvm":
		status, _ := c.String("x-ms-compliance-status")
		return teeVerdict(typ, status, "", "%s platform token (hardware evidence only, no vTPM or OS claims)",
			"%s 플랫폼 토큰(하드웨어 증거만 있고 vTPM이나 OS 클레임은 없습니다)")
	case "":
		return check.Failf(IDTEE, "no x-ms-attestation-type claim; cannot tell what was attested").
			KO("x-ms-attestation-type 클레임이 없어 무엇을 증명했는지 알 수 없습니다")
	}
	return check.Warnf(IDTEE, "not an Azure VM token: x-ms-attestation-type %q", typ).
		KO("Azure VM 토큰이 아닙니다: x-ms-attestation-type %q", typ).
		WithDetail("Azure VM tokens say azurevm (AzureGuest), sevsnpvm or tdxvm",
			"Azure VM 토큰의 값은 azurevm(AzureGuest), sevsnpvm, tdxvm 중 하나입니다")
}

func teeVerdict(typ, status, prefix, passFmt, passFmtKO string) check.Check {
	name, ok := teeNames[typ]
	if !ok {
		return check.Failf(IDTEE, "%sx-ms-attestation-type %q is neither sevsnpvm nor tdxvm", prefix, typ).
			KO("%sx-ms-attestation-type %q는 sevsnpvm도 tdxvm도 아닙니다", prefix, typ)
	}
	if status != compliantCVM {
		return check.Failf(IDTEE, "%s: %sx-ms-compliance-status %q, want %s", name, prefix, status, compliantCVM).
			KO("%s: %sx-ms-compliance-status %q, 기대값 %s", name, prefix, status, compliantCVM).
			WithDetail("MAA did not judge the host and platform a healthy Azure Confidential VM",
				"MAA가 호스트와 플랫폼을 정상적인 Azure Confidential VM(기밀 VM)으로 판정하지 않았습니다")
	}
	return check.Passf(IDTEE, passFmt, name).KO(passFmtKO, name).
		WithDetails(prefix + "x-ms-compliance-status " + compliantCVM)
}

func verifyNonce(c Claims, nonce []byte) check.Check {
	if nonce == nil {
		return check.Skipf(IDNonce, "no nonce was sent, so freshness by nonce was not checked").
			KO("논스(nonce)를 보내지 않아 논스로 최신성을 확인하지 않았습니다")
	}
	want := base64.StdEncoding.EncodeToString(nonce)
	if got, ok := c.String("x-ms-runtime", "client-payload", "nonce"); ok {
		if got != want {
			return check.Failf(IDNonce, "x-ms-runtime.client-payload.nonce %q, want %q (base64 of the nonce sent)", got, want).
				KO("x-ms-runtime.client-payload.nonce %q, 기대값 %q(보낸 논스의 base64)", got, want)
		}
		return check.Passf(IDNonce, "x-ms-runtime.client-payload.nonce echoes the nonce sent (%s)", want).
			KO("x-ms-runtime.client-payload.nonce가 보낸 논스를 그대로 돌려줍니다(%s)", want)
	}
	// Platform endpoints copy the request's nonce field unchanged into a top-level claim.
	if got, ok := c.String("nonce"); ok {
		if got != string(nonce) {
			return check.Failf(IDNonce, "nonce claim %q, want %q", got, string(nonce)).
				KO("nonce 클레임 %q, 기대값 %q", got, string(nonce))
		}
		return check.Passf(IDNonce, "nonce claim echoes the nonce sent").
			KO("nonce 클레임이 보낸 논스를 그대로 돌려줍니다")
	}
	return check.Failf(IDNonce, "a nonce was sent but the token has no x-ms-runtime.client-payload.nonce").
		KO("논스를 보냈지만 토큰에 x-ms-runtime.client-payload.nonce가 없습니다")
}

func verifyUserData(c Claims, userData []byte) check.Check {
	if userData == nil {
		return check.Skipf(IDUserData, "no user data was written, so the report-data binding was not checked").
			KO("사용자 데이터를 쓰지 않아 REPORT_DATA 바인딩을 확인하지 않았습니다")
	}
	want := hex.EncodeToString(userData)
	for _, p := range [][]string{
		{"x-ms-isolation-tee", "x-ms-runtime", "user-data"},
		{"x-ms-runtime", "user-data"},
	} {
		got, ok := c.String(p...)
		if !ok {
			continue
		}
		name := strings.Join(p, ".")
		if !strings.EqualFold(got, want) {
			return check.Failf(IDUserData, "%s differs from the %d bytes written", name, len(userData)).
				KO("%s가 쓴 %d바이트와 다릅니다", name, len(userData)).
				WithDetail("token: "+got, "토큰:  "+got).
				WithDetail("want:  "+strings.ToUpper(want), "기대값: "+strings.ToUpper(want))
		}
		return check.Passf(IDUserData, "%s equals the %d bytes written (hex, case-insensitive)", name, len(userData)).
			KO("%s가 쓴 %d바이트와 같습니다(16진수, 대소문자 무시)", name, len(userData))
	}
	return check.Failf(IDUserData, "user data was written but the token carries no x-ms-runtime.user-data").
		KO("사용자 데이터를 썼지만 토큰에 x-ms-runtime.user-data가 없습니다")
}

// CompliantCVM reports whether the token says MAA judged the VM a compliant Azure
// Confidential VM (SEV-SNP or TDX), and which: the nested x-ms-isolation-tee of an AzureGuest
// token or the flat claims of a platform token. A Trusted Launch token is not one.
func (c Claims) CompliantCVM() (tee string, ok bool) {
	typ, status := c.AttestationType(), ""
	switch typ {
	case "azurevm":
		iso := c.IsolationTEE()
		if iso == nil {
			return "", false
		}
		typ, _ = iso["x-ms-attestation-type"].(string)
		status, _ = iso["x-ms-compliance-status"].(string)
	case "sevsnpvm", "tdxvm":
		status, _ = c.String("x-ms-compliance-status")
	default:
		return "", false
	}
	name, known := teeNames[typ]
	return name, known && status == compliantCVM
}
