package uitest

import (
	"crypto/sha512"
	"encoding/base64"
	"fmt"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/workshop"
)

func b64(seed string, n int) string {
	var b []byte
	for i := 0; len(b) < n; i++ {
		s := sha512.Sum512([]byte(fmt.Sprintf("%s/%d", seed, i)))
		b = append(b, s[:]...)
	}
	return base64.RawURLEncoding.EncodeToString(b[:n])
}

// RequestJSON is a test-data MAA AzureGuest request body with blobs of real sizes.
func RequestJSON() string {
	return `{
  "AttestationInfo": {
    "Attestation": {
      "AttestationProtocolVersion": "2.0",
      "ClientPayload": {"nonce": "` + b64("nonce", 24) + `"},
      "TcgLogs": "` + b64("tcg", 36486) + `",
      "Quote": "` + b64("quote", 122) + `",
      "QuoteSig": "` + b64("sig", 256) + `",
      "Isolation": {
        "Type": "SevSnp",
        "Evidence": {
          "Proof": "` + b64("proof", 6503) + `",
          "RunTimeData": "` + b64("rtd", 1819) + `"
        }
      },
      "OSType": "Linux", "OSDistro": "Ubuntu", "OSVersionMajor": 24, "OSVersionMinor": 4
    },
    "EncryptionKey": {"kty": "RSA", "kid": "TpmEphemeralEncryptionKey", "n": "` + b64("n", 256) + `", "e": "AQAB"}
  }
}`
}

// BuildRequestPage is the test-data Build request page.
func BuildRequestPage() present.Page {
	quote := []present.Row{
		row("magic", "0xff544347 (TPM_GENERATED_VALUE)", check.Pass, t("Only the TPM itself produces structures with this magic.", "이 매직 값이 있는 구조체는 TPM만 만듭니다.")),
		row("type", "0x8018 (TPM_ST_ATTEST_QUOTE)", "", t("A quote: a signed digest of PCRs.", "쿼트: PCR의 다이제스트에 서명한 것입니다.")),
		row("qualifiedSigner", "000b"+hexOf("qs", 32), "", t("Name of the signing key's hierarchy and key.", "서명 키 계층과 키의 이름입니다.")),
		row("extraData", "sha256(nonce) "+hexOf("nonce", 32), check.Pass, t("The caller's nonce, proving the quote is fresh.", "호출자의 논스로, 쿼트가 새것임을 보입니다.")),
		row("clock", "8124915 ms, resets 3, restarts 0, safe", "", t("TPM clock information at quoting time.", "쿼트 시점의 TPM 시계 정보입니다.")),
		row("pcrSelect", "sha256: 0-23", "", t("Which PCRs the digest covers.", "다이제스트가 포함하는 PCR입니다.")),
		row("pcrDigest", hexOf("pcrd", 32), check.Pass, t("SHA-256 over the selected PCR values.", "선택한 PCR 값의 SHA-256입니다.")),
	}
	key := []present.Row{
		row("kty / size", "RSA 2048, e=65537", "", t("The ephemeral key MAA encrypts the token for.", "MAA가 토큰을 암호화할 대상인 임시 키입니다.")),
		row("handle", "0x80000002 (transient)", "", t("Created in the vTPM for this request; flushed afterwards.", "이 요청을 위해 vTPM에서 만들고 끝나면 지웁니다.")),
		row("certified by", "HCLAkPub (TPM2_Certify)", check.Pass, t("The AK vouches that this key lives in the same vTPM.", "AK가 이 키가 같은 vTPM 안에 있음을 보증합니다.")),
	}
	return present.Page{
		Step: string(workshop.BuildRequest), Title: workshop.BuildRequest.Title(), Verdict: check.Pass,
		Summary: t("What is sent to MAA: the quote, the event log, the HCL report and the VCEK chain, and a key for the answer.",
			"MAA에 보내는 것: 쿼트, 이벤트 로그, HCL 보고서와 VCEK 체인, 그리고 응답용 키."),
		Sections: []present.Section{
			{ID: "vcek", Title: t("VCEK chain", "VCEK 체인"), Kind: present.Fields, Rows: []present.Row{
				row("VCEK", "CN=SEV-VCEK, notAfter 2030-05-02", check.Pass, t("From IMDS (THIM), for this chip and TCB.", "IMDS(THIM)에서 가져온 이 칩과 TCB의 인증서입니다.")),
				row("ASK", "CN=SEV-Milan", check.Pass, t("AMD signing key.", "AMD 서명 키입니다.")),
				row("ARK", "CN=ARK-Milan", check.Pass, t("AMD root key.", "AMD 루트 키입니다.")),
			}},
			{ID: "quote", Title: t("TPM quote", "TPM 쿼트"), Kind: present.Fields, Rows: quote},
			{ID: "key", Title: t("Ephemeral key", "임시 키"), Kind: present.Fields, Rows: key},
			{ID: "request", Title: t("Request JSON", "요청 JSON"), Kind: present.Code, Body: RequestJSON()},
		},
	}
}
