package uitest

import (
	"encoding/base64"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/workshop"
)

// Token is a test-data compact JWT shaped like an AzureGuest token from Korea Central (its
// claims in MAA's order and nesting); its signature is random bytes, not signed by anything.
var Token = "eyJhbGciOiJSUzI1NiIsImprdSI6Imh0dHBzOi8vc2hhcmVka3JjLmtyYy5hdHRlc3QuYXp1cmUubmV0L2NlcnRzIiwia2lkIjoiVEVTVCIsInR5cCI6IkpXVCJ9." +
	base64.RawURLEncoding.EncodeToString([]byte(TokenPayload)) + "." + b64("jwtsig", 256)

// TokenPayload is Token's claims.
var TokenPayload = `{"exp":1795570868,"iat":1795542068,"iss":"https://sharedkrc.krc.attest.azure.net","jti":"` + hexOf("jti", 32) + `","nbf":1795542068,` +
	`"secureboot":true,"x-ms-attestation-type":"azurevm","x-ms-azurevm-vmid":"91055A8C-F759-42CE-B917-AC0B2E39B9F3",` +
	`"x-ms-isolation-tee":{"x-ms-attestation-type":"sevsnpvm","x-ms-compliance-status":"azure-compliant-cvm",` +
	`"x-ms-sevsnpvm-bootloader-svn":10,"x-ms-sevsnpvm-firmware-svn":23,"x-ms-sevsnpvm-is-debuggable":false,` +
	`"x-ms-sevsnpvm-launchmeasurement":"` + hexOf("meas", 48) + `","x-ms-sevsnpvm-reportid":"` + hexOf("reportid", 32) + `",` +
	`"x-ms-sevsnpvm-vmpl":0},"x-ms-runtime":{"client-payload":{"nonce":"` + b64("nonce", 24) + `"}},"x-ms-ver":"1.0"}`

// CallMAAPage is the test-data Call MAA page.
func CallMAAPage() present.Page {
	return present.Page{
		Step: string(workshop.CallMAA), Title: workshop.CallMAA.Title(), Verdict: check.Pass,
		Summary: t("POST /attest/AzureGuest?api-version=2020-10-01 to the regional MAA.", "지역 MAA에 POST /attest/AzureGuest?api-version=2020-10-01 요청을 보냅니다."),
		Sections: []present.Section{{ID: "http", Title: t("HTTP exchange", "HTTP 교환"), Kind: present.Fields, Rows: []present.Row{
			row("endpoint", "https://sharedkrc.krc.attest.azure.net/attest/AzureGuest?api-version=2020-10-01", "", t("Where the request went.", "요청을 보낸 곳입니다.")),
			row("status", "200 OK", check.Pass, t("MAA accepted the evidence and issued a token.", "MAA가 증거를 받아들이고 토큰을 발급했습니다.")),
			row("latency", "412 ms", "", t("Time from request to response.", "요청부터 응답까지 걸린 시간입니다.")),
			row("retries", "0", "", t("Retries after 429 or 5xx answers.", "429나 5xx 응답 뒤 재시도 횟수입니다.")),
			row("x-ms-request-id", "3f1c2a7e-5b0d-4c8e-9f21-7a6b5c4d3e2f", "", t("Quote this to Azure support.", "Azure 지원에 문의할 때 이 값을 알려 줍니다.")),
			row("response", "token encrypted for TpmEphemeralEncryptionKey, 3412 bytes", check.Pass, t("The token comes back encrypted to the vTPM key; only this VM can read it.", "토큰은 vTPM 키로 암호화되어 돌아오므로 이 VM만 읽을 수 있습니다.")),
		}}},
	}
}

// VerifyJWTPage is the test-data Verify JWT page.
func VerifyJWTPage(secureBootOff bool) present.Page {
	sb := "true"
	sbv := check.Pass
	if secureBootOff {
		sb, sbv = "false", check.Fail
	}
	claims := []present.Row{
		{Key: "x-ms-attestation-type", Cells: []string{"sevsnpvm", "MAA가 확인한 하드웨어"}, Verdict: check.Pass, PCR: -1, Explain: t("The TEE MAA verified.", "MAA가 확인한 TEE입니다.")},
		{Key: "x-ms-compliance-status", Cells: []string{"azure-compliant-cvm", "정책 준수"}, Verdict: sbv, PCR: -1, Explain: t("Whether the VM meets Azure's CVM baseline.", "VM이 Azure CVM 기준을 충족하는지입니다.")},
		{Key: "secureboot", Cells: []string{sb, "보안 부팅"}, Verdict: sbv, PCR: -1, Explain: t("Secure Boot state MAA read from the event log.", "MAA가 이벤트 로그에서 읽은 보안 부팅 상태입니다.")},
		{Key: "x-ms-sevsnpvm-is-debuggable", Cells: []string{"false", "디버깅 불가"}, Verdict: check.Pass, PCR: -1, Explain: t("Debugging off.", "디버깅이 꺼져 있습니다.")},
		{Key: "x-ms-sevsnpvm-launchmeasurement", Cells: []string{hexOf("meas", 48), "시작 측정값"}, Verdict: check.Pass, PCR: -1, Explain: t("Equals the report's MEASUREMENT.", "보고서의 MEASUREMENT와 같습니다.")},
		{Key: "x-ms-runtime.client-payload.nonce", Cells: []string{b64("nonce", 24), "논스"}, Verdict: check.Pass, PCR: -1, Explain: t("Our nonce, echoed back.", "우리가 보낸 논스가 그대로 돌아왔습니다.")},
		{Key: "x-ms-ver", Cells: []string{"1.0", "토큰 형식 버전"}, PCR: -1},
	}
	rows := []present.Row{
		row("alg / kid", "RS256 / TEST", "", t("Signature algorithm and the signing key's ID.", "서명 알고리즘과 서명 키 ID입니다.")),
		row("jku", "https://sharedkrc.krc.attest.azure.net/certs", check.Pass, t("Where the signing keys are published; must be the endpoint we called.", "서명 키가 게시된 곳. 호출한 엔드포인트와 같아야 합니다.")),
		row("signature", "verifies with kid TEST (RSA-2048)", check.Pass, t("MAA signed this token.", "MAA가 이 토큰에 서명했습니다.")),
		row("iat / nbf", "2026-11-23T15:41:08Z", check.Pass, t("Issued at, not before.", "발급 시각, 유효 시작 시각입니다.")),
		row("exp", "2026-11-24T00:41:08Z (in 9h)", check.Pass, t("Expiry.", "만료 시각입니다.")),
		{Key: "token", Value: Token, PCR: -1, Copy: Token, Explain: t("The compact JWT; y copies it.", "압축 JWT입니다. y로 복사합니다.")},
	}
	v := check.Pass
	if secureBootOff {
		v = check.Fail
	}
	return present.Page{
		Step: string(workshop.VerifyJWT), Title: workshop.VerifyJWT.Title(), Verdict: v,
		Summary: t("The token MAA issued: its signature, its lifetime, and what it says about this VM.", "MAA가 발급한 토큰: 서명, 유효기간, 그리고 이 VM에 대해 말하는 내용."),
		Sections: []present.Section{
			{ID: "jwt", Title: t("Token", "토큰"), Kind: present.Fields, Rows: rows},
			{ID: "claims", Title: t("Claims", "클레임"), Kind: present.Table, Columns: []T{t("Claim", "클레임"), t("Value", "값"), t("Korean label", "한국어 이름")}, Rows: claims},
		},
	}
}
