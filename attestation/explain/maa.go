package explain

import (
	"strings"
	"sync"

	"github.com/cvmscope/cvmscope/attestation/present"
)

// The explanations of the three MAA steps: Build request, Call MAA, Verify JWT. checks
// merges maaChecks when it is built and fieldTable serves the three MAA kinds, so that
// checks.go and fields.go stay as they are.

// Field kinds of the MAA pages.
const (
	KindRequest = "maa.request" // rows of the Build request page: wire names and page labels
	KindCall    = "maa.call"    // rows of the Call MAA page
	KindJWT     = "jwt"         // header, signature and lifetime rows of the Verify JWT page
)

// maaChecks are the checks the MAA steps emit (package workshop).
func maaChecks() map[string]Entry {
	return map[string]Entry{
		"imds.reachable": eh(
			"Whether Azure's Instance Metadata Service (169.254.169.254) answers: it supplies the VM's id, size and region, the VCEK chain and the TD quote.",
			"Azure 인스턴스 메타데이터 서비스(169.254.169.254)가 응답하는지 봅니다. VM ID, 크기, 리전, VCEK 체인, TD 쿼트를 제공합니다.",
			"IMDS answers only inside an Azure VM and never through a proxy: add 169.254.169.254 to NO_PROXY and check local firewall rules.",
			"IMDS는 Azure VM 안에서만, 프록시 없이 응답합니다. NO_PROXY에 169.254.169.254를 추가하고 로컬 방화벽 규칙을 확인합니다."),
		"imds.thim": eh(
			"Whether THIM (IMDS /metadata/THIM/amd/certification) returns this chip's VCEK with the ASK and ARK, which MAA needs to verify the SEV-SNP report.",
			"THIM(IMDS /metadata/THIM/amd/certification)이 이 칩의 VCEK와 ASK, ARK를 돌려주는지 봅니다. MAA가 SEV-SNP 보고서를 검증하는 데 필요합니다.",
			"THIM serves only SEV-SNP VMs; retry after a minute, or fetch the VCEK from AMD KDS for the report's chip id and TCB.",
			"THIM은 SEV-SNP VM에만 응답합니다. 1분 후 다시 시도하거나, 보고서의 칩 ID와 TCB로 AMD KDS에서 VCEK를 받습니다."),
		"imds.tdquote": eh(
			"Whether IMDS (POST /acc/tdquote) turns the TDREPORT, which only this CPU can check, into a TD quote signed by Intel's quoting enclave, which MAA can verify.",
			"IMDS(POST /acc/tdquote)가 이 CPU만 확인할 수 있는 TDREPORT를 Intel 쿼팅 엔클레이브가 서명한 TD 쿼트로 바꾸는지 봅니다. MAA는 이 쿼트를 검증할 수 있습니다.",
			"Send exactly the 1024-byte TDREPORT, base64url-encoded, as {\"report\":…}; this works only on a TDX CVM.",
			"1024바이트 TDREPORT를 base64url로 인코딩해 {\"report\":…}로 정확히 보냅니다. TDX CVM에서만 동작합니다."),
		"maa.endpoint": eh(
			"The attestation provider to call: -a if given, else the shared provider of the VM's region from IMDS (Korea Central: sharedkrc), else cvmscope's local emulator for the simulated CVM.",
			"호출할 증명 공급자입니다: -a로 지정한 값, 없으면 IMDS가 알려 준 VM 리전의 공유 공급자(한국 중부, Korea Central: sharedkrc), 시뮬레이션 CVM이면 cvmscope의 로컬 에뮬레이터입니다.",
			"Pass -a https://<provider> to choose one; a token from another region's provider has another issuer.",
			"공급자를 고르려면 -a https://<공급자>를 지정합니다. 다른 리전 공급자의 토큰은 발급자(iss)가 다릅니다."),
		"maa.request": eh(
			"Whether the request body could be built with the field names and encodings of Microsoft's clients, decoding back to exactly the evidence shown.",
			"요청 본문을 Microsoft 클라이언트와 같은 필드 이름과 인코딩으로 만들 수 있었는지, 디코딩하면 표시된 증거와 정확히 같은지 봅니다.",
			"The message names the missing or malformed field; run Read report again so every piece of evidence is present.",
			"메시지에 빠졌거나 잘못된 필드가 나옵니다. 모든 증거가 갖춰지도록 증명 보고서 읽기를 다시 실행합니다."),
		"maa.call": eh(
			"Whether MAA answered the attestation request with a token, and how: the attempts, the waits MAA asked for with Retry-After, and the latency.",
			"MAA가 증명 요청에 토큰으로 응답했는지, 그리고 어떻게 응답했는지(시도 횟수, Retry-After로 요청한 대기, 지연 시간) 봅니다.",
			"Read the error below: a policy denial names the claim to fix; network errors say whether DNS, the proxy, the firewall or TLS stopped the call.",
			"아래 오류를 읽습니다. 정책 거부는 고칠 클레임을 알려 주고, 네트워크 오류는 DNS, 프록시, 방화벽, TLS 중 무엇이 호출을 막았는지 알려 줍니다."),
		"maa.draft": eh(
			"A draft run (--draft-policy): the policy was sent as draftPolicyForAttestation, MAA evaluated it instead of the provider's policy, and a permit comes back as an unsigned token (alg none). It answers whether this policy would permit this evidence; it is never an attestation.",
			"초안 실행(--draft-policy)입니다. 정책을 draftPolicyForAttestation으로 보냈고, MAA가 공급자 정책 대신 그 정책으로 평가했으며, 허용하면 서명 없는 토큰(alg none)으로 돌려줍니다. 이 정책이 이 증거를 허용하는지에 대한 답일 뿐 증명이 아닙니다.",
			"To attest, run again without --draft-policy; to enforce the draft, upload it to your provider (az attestation policy set) and run again.",
			"증명하려면 --draft-policy 없이 다시 실행합니다. 초안을 적용하려면 공급자에 올린 뒤(az attestation policy set) 다시 실행합니다."),
		"maa.decrypt": eh(
			"Whether the AzureGuest answer opens: the vTPM unwraps the AES key with the ephemeral key under its PCR policy (TPM2_RSA_Decrypt), and AES-GCM opens the JWT with AAD \"Transport Key\". Only this vTPM, in this boot state, can do that.",
			"AzureGuest 응답이 열리는지 봅니다. vTPM이 PCR 정책 아래에서 임시 키로 AES 키를 풀고(TPM2_RSA_Decrypt), AES-GCM이 AAD \"Transport Key\"로 JWT를 엽니다. 이 부팅 상태의 이 vTPM만 할 수 있는 일입니다.",
			"If the PCRs changed since the key was made, attest again and decrypt right away; a tag mismatch means the answer was altered or was meant for another key.",
			"키를 만든 뒤 PCR이 바뀌었다면 다시 증명하고 바로 복호화합니다. 태그 불일치는 응답이 변조되었거나 다른 키를 위한 것임을 뜻합니다."),
	}
}

var requestFields = sync.OnceValue(func() map[string]present.Text {
	return map[string]present.Text{
		"flow": t("Which MAA API is called: AzureGuest sends the vTPM quote and the hardware evidence and gets an encrypted token; SevSnpVm and TdxVm send the hardware evidence only and get a plain token.",
			"호출하는 MAA API입니다. AzureGuest는 vTPM 쿼트와 하드웨어 증거를 보내고 암호화된 토큰을 받습니다. SevSnpVm과 TdxVm은 하드웨어 증거만 보내고 평문 토큰을 받습니다."),
		"provider": t("The attestation provider (scheme and host); the token's issuer (iss) will be exactly this.",
			"증명 공급자(스킴과 호스트)입니다. 토큰의 발급자(iss)가 정확히 이 값이 됩니다."),
		"chosen by": t("Why this provider: -a, the VM's region from IMDS, or the default when IMDS gave no known region.",
			"이 공급자를 고른 이유입니다: -a, IMDS가 알려 준 VM 리전, 또는 알려진 리전이 없을 때의 기본값."),
		"path": t("The attest path and api-version the reference clients use (AzureGuest 2020-10-01, SevSnpVm 2022-08-01, TdxVm 2023-04-01-preview).",
			"참조 클라이언트가 쓰는 증명 경로와 api-version입니다(AzureGuest 2020-10-01, SevSnpVm 2022-08-01, TdxVm 2023-04-01-preview)."),
		"body": t("The HTTP body, JSON. For AzureGuest it is {\"AttestationInfo\": base64url of the JSON shown below}.",
			"HTTP 본문(JSON)입니다. AzureGuest에서는 {\"AttestationInfo\": 아래 JSON의 base64url}입니다."),

		"IsolationInfo.Type": t("What hardware evidence the request carries: SevSnp (SEV-SNP report and VCEK chain), Tdx (TD quote) or TrustedLaunch (none).",
			"요청에 담긴 하드웨어 증거의 종류입니다: SevSnp(SEV-SNP 보고서와 VCEK 체인), Tdx(TD 쿼트), TrustedLaunch(없음)."),
		"TrustedLaunch": t("A Trusted Launch VM has no hardware TEE: MAA can only check the vTPM (its AK certificate, quote and event log).",
			"Trusted Launch VM에는 하드웨어 TEE가 없습니다. MAA는 vTPM(AK 인증서, 쿼트, 이벤트 로그)만 확인할 수 있습니다."),
		"SnpReport": t("The 1184-byte SEV-SNP report from the HCL report, signed by the chip's VCEK; base64url inside the Proof.",
			"HCL 보고서 안의 1184바이트 SEV-SNP 보고서로, 칩의 VCEK가 서명했습니다. IsolationInfo.Evidence.Proof 안에 base64url로 들어갑니다."),
		"VcekCertChain": t("VCEK, ASK and ARK as PEM, as THIM returned them, so that MAA can check the report's signature up to AMD's root.",
			"THIM이 돌려준 PEM 형식의 VCEK, ASK, ARK로, MAA가 보고서 서명을 AMD 루트까지 확인할 수 있게 합니다."),
		"VCEK": t("The chip's Versioned Chip Endorsement Key certificate for its current TCB: its key signed the SEV-SNP report.",
			"현재 TCB에 대한 이 칩의 VCEK(TCB 버전마다 칩이 따로 받는 인증 키) 인증서입니다. 이 키가 SEV-SNP 보고서에 서명했습니다."),
		"ASK": t("AMD SEV Signing Key certificate for the processor line: it signs VCEKs and is signed by the ARK.",
			"프로세서 계열의 AMD SEV 서명 키(ASK) 인증서입니다. VCEK에 서명하며 ARK의 서명을 받습니다."),
		"ARK": t("AMD Root Key certificate, self-signed: MAA and cvmscope trust it because they carry AMD's roots.",
			"자체 서명된 AMD 루트 키(ARK) 인증서입니다. MAA와 cvmscope가 AMD 루트를 내장하고 있어 신뢰합니다."),
		"certificate": t("A further certificate in the chain.", "체인에 포함된 추가 인증서입니다."),
		"RunTimeData": t("The runtime claims JSON from the HCL report, byte for byte: MAA hashes it and compares with REPORT_DATA, then repeats it in x-ms-runtime.",
			"HCL 보고서의 런타임 클레임 JSON을 바이트 그대로 보냅니다. MAA는 이를 해시해 REPORT_DATA와 비교하고 x-ms-runtime에 그대로 담습니다."),
		"TD quote": t("The TD quote IMDS made from the TDREPORT, signed by Intel's quoting enclave; MAA verifies it with Intel's collateral.",
			"IMDS가 TDREPORT로 만든 TD 쿼트로, Intel 쿼팅 엔클레이브가 서명했습니다. MAA는 Intel 콜래터럴로 이를 검증합니다."),
		"quote.version": t("TD quote format version (4 for TDX 1.0/1.5 DCAP quotes).", "TD 쿼트 형식 버전입니다(TDX 1.0/1.5 DCAP 쿼트는 4)."),
		"quote.signature": t("How the quote is signed: ECDSA P-256 by the quoting enclave's attestation key, certified by the PCK certificate.",
			"쿼트의 서명 방식입니다: 쿼팅 엔클레이브의 증명 키로 ECDSA P-256 서명하며, 그 키는 PCK 인증서로 인증됩니다."),
		"quote.pck": t("The PCK certificate in the quote: Intel's certificate for this platform, leading to the Intel SGX root.",
			"쿼트 안의 PCK 인증서로, 이 플랫폼에 대한 Intel 인증서이며 Intel SGX 루트로 이어집니다."),
		"quote.mr_td": t("MRTD in the quote: on Azure the measurement of the paravisor's TD, not of your guest OS.",
			"쿼트 안의 MRTD입니다. Azure에서는 게스트 OS가 아니라 패러바이저 TD의 측정값입니다."),

		"TpmInfo.AikCert": t("The vTPM attestation key's certificate from NV 0x01C101D0, issued by Azure's vTPM CA: how MAA knows the AK is an Azure vTPM's.",
			"NV 0x01C101D0의 vTPM 증명 키 인증서로, Azure vTPM CA가 발급했습니다. MAA는 이것으로 AK가 Azure vTPM의 것임을 압니다."),
		"TpmInfo.AikPub": t("The AK's public area (TPM2B_PUBLIC of 0x81000003): the key that signed the quote and the certification of the ephemeral key.",
			"AK의 공개 영역(0x81000003의 TPM2B_PUBLIC)입니다. 쿼트와 임시 키 인증에 서명한 키입니다."),
		"TpmInfo.PcrSet": t("The PCRs quoted (Linux: 0-7). MAA reads the boot state from them and the event log.",
			"쿼트한 PCR 목록입니다(Linux: 0-7). MAA는 이 PCR과 이벤트 로그로 부팅 상태를 판단합니다."),
		"TpmInfo.PCRs": t("The SHA-256 value of each quoted PCR, base64; their hash must equal the digest inside the signed quote.",
			"쿼트한 각 PCR의 SHA-256 값(base64)입니다. 이 값들의 해시가 서명된 쿼트 안의 다이제스트와 같아야 합니다."),
		"TpmInfo.PcrQuote": t("TPMS_ATTEST of TPM2_Quote: the PCR selection and digest the AK signed.",
			"TPM2_Quote의 TPMS_ATTEST로, AK가 서명한 PCR 선택과 다이제스트입니다."),
		"TpmInfo.PcrSignature": t("The AK's RSA signature over PcrQuote.", "PcrQuote에 대한 AK의 RSA 서명입니다."),
		"TcgLogs": t("The TCG event log (binary_bios_measurements), base64: MAA replays it against the quoted PCRs to derive secureboot and the other boot claims.",
			"TCG 이벤트 로그(binary_bios_measurements, base64)입니다. MAA는 이를 쿼트된 PCR에 대해 재생해 보안 부팅(secureboot) 등의 부팅 클레임을 만듭니다."),
		"TpmInfo.EncKeyPub": t("The ephemeral RSA key MAA encrypts its answer to: decrypt-only, fixed to this vTPM, usable only under its PCR policy.",
			"MAA가 응답을 암호화할 임시 RSA 키입니다. 복호화 전용이고 이 vTPM에 고정되며 PCR 정책 아래에서만 쓸 수 있습니다."),
		"policy": t("The key's authPolicy: TPM2_PolicyPCR over the quoted PCRs, so the answer can be opened only while the PCRs hold the quoted values.",
			"키의 authPolicy로, 쿼트한 PCR에 대한 TPM2_PolicyPCR입니다. PCR이 쿼트된 값일 때만 응답을 열 수 있습니다."),
		"TpmInfo.EncKeyCertifyInfo": t("TPMS_ATTEST of TPM2_Certify: the AK vouches that the ephemeral key lives in the same vTPM.",
			"TPM2_Certify의 TPMS_ATTEST로, 임시 키가 같은 vTPM 안에 있음을 AK가 보증합니다."),
		"TpmInfo.EncKeyCertifyInfoSignature": t("The AK's RSA signature over EncKeyCertifyInfo.", "EncKeyCertifyInfo에 대한 AK의 RSA 서명입니다."),

		"ClientPayload": t("Key/value pairs for MAA to echo in x-ms-runtime.client-payload; empty means no nonce was sent.",
			"MAA가 x-ms-runtime.client-payload에 그대로 돌려줄 키/값 쌍입니다. 비어 있으면 논스를 보내지 않은 것입니다."),
		"ClientPayload.nonce": t("The nonce, base64-encoded; MAA echoes it unchanged so the relying party can see the token is fresh.",
			"base64로 인코딩한 논스(nonce)입니다. MAA가 그대로 돌려주므로 검증자는 토큰이 새로 발급되었음을 확인할 수 있습니다."),
		"ClientPayload.*": t("A caller-chosen ClientPayload entry, base64-encoded and echoed by MAA.",
			"호출자가 정한 ClientPayload 항목으로, base64로 인코딩되어 MAA가 그대로 돌려줍니다."),
		"nonce": t("The platform request's nonce: MAA copies it into the token; freshness also comes from user-data.",
			"플랫폼 요청의 논스(nonce)로, MAA가 토큰에 복사합니다. 최신성은 user-data로도 확인됩니다."),

		"AttestationProtocolVersion": t("Version of the AzureGuest request format (2.0).", "AzureGuest 요청 형식의 버전입니다(2.0)."),
		"OSType": t("The guest OS type as the client reports it (Linux or Windows); MAA copies it into x-ms-azurevm-ostype without verifying it.",
			"클라이언트가 보고한 게스트 OS 종류(Linux 또는 Windows)입니다. MAA는 검증 없이 x-ms-azurevm-ostype에 복사합니다."),
		"OSDistro": t("The distribution name from /etc/os-release; copied into x-ms-azurevm-osdistro, not verified.",
			"/etc/os-release의 배포판 이름입니다. x-ms-azurevm-osdistro에 복사되며 검증되지 않습니다."),
		"OSVersionMajor": t("OS major version (22 for Ubuntu 22.04); copied, not verified. Microsoft's client refuses 0.",
			"OS 주 버전(Ubuntu 22.04는 22)입니다. 복사될 뿐 검증되지 않으며, Microsoft 클라이언트는 0을 거부합니다."),
		"OSVersionMinor": t("OS minor version (4 for 22.04); copied, not verified.", "OS 부 버전(22.04는 4)입니다. 복사될 뿐 검증되지 않습니다."),
		"OSBuild":        t("OS build string (NotApplication on Linux); copied, not verified.", "OS 빌드 문자열(Linux는 NotApplication)입니다. 복사될 뿐 검증되지 않습니다."),
	}
})

var callFields = sync.OnceValue(func() map[string]present.Text {
	return map[string]present.Text{
		"url": t("The URL called: provider, attest path and api-version.", "호출한 URL: 공급자, 증명 경로, api-version."),
		"provider": t("Who answered: Microsoft Azure Attestation, or cvmscope's local emulator (loopback only, test keys, never a real verdict).",
			"응답한 곳: Microsoft Azure Attestation, 또는 cvmscope의 로컬 에뮬레이터(루프백 전용, 테스트 키, 실제 판정 아님)."),
		"status": t("The final HTTP status: 200 carries a token; 400 means the evidence or policy was refused; 429 and 5xx are retried.",
			"최종 HTTP 상태입니다. 200은 토큰을 담고, 400은 증거나 정책이 거부된 것이며, 429와 5xx는 재시도합니다."),
		"latency": t("Time from the first try to the final answer, waits included; MAA usually answers well under a second.",
			"첫 시도부터 최종 응답까지의 시간(대기 포함)입니다. MAA는 보통 1초 안에 응답합니다."),
		"attempts": t("How many tries the call took: 408, 429 and 5xx are retried with growing waits, honouring Retry-After; 400 never is.",
			"호출에 걸린 시도 횟수입니다. 408, 429, 5xx는 Retry-After를 지키며 점점 길게 기다려 재시도하고, 400은 재시도하지 않습니다."),
		"attempt": t("One HTTP try: its status, how long it took, and the Retry-After MAA asked for.",
			"HTTP 시도 한 번: 상태, 걸린 시간, MAA가 요청한 Retry-After."),
		"sent": t("Size of the request body sent.", "보낸 요청 본문의 크기입니다."),
		"received": t("Size of the answer: a few KiB for a token; a short JSON error otherwise.",
			"응답 크기입니다. 토큰이면 수 KiB, 오류면 짧은 JSON입니다."),
		"what happened": t("The failure in plain words.", "실패를 쉬운 말로 설명합니다."),
		"what to do":    t("The next step that usually fixes it.", "보통 문제를 해결하는 다음 조치(조치 방법)입니다."),
		"error code":    t("MAA's error code, e.g. PolicyEvaluationError.", "MAA의 오류 코드입니다(예: PolicyEvaluationError)."),
		"message":       t("MAA's error message, as sent.", "MAA가 보낸 오류 메시지 그대로입니다."),
		"inner code":    t("The inner error code, e.g. PolicyValidationFailure.", "내부 오류 코드입니다(예: PolicyValidationFailure)."),
		"EncryptedInnerKey": t("The AES key of the answer, RSA-encrypted (RSAES-PKCS1-v1_5) to the ephemeral key: only the vTPM, under the PCR policy, can unwrap it.",
			"응답의 AES 키로, 임시 키로 RSA 암호화(RSAES-PKCS1-v1_5)되어 있습니다. PCR 정책 아래에서 vTPM만 풀 수 있습니다."),
		"EncryptionParams": t("How the JWT is sealed: AES in GCM mode (ChainingModeGCM) with the key size given.",
			"JWT를 봉인한 방식: 주어진 키 크기의 AES GCM 모드(ChainingModeGCM)."),
		"Iv":                 t("The 12-byte GCM nonce.", "12바이트 GCM 논스입니다."),
		"AuthenticationData": t("The 16-byte GCM tag: any change to the encrypted JWT makes decryption fail.", "16바이트 GCM 태그로, 암호화된 JWT가 조금이라도 바뀌면 복호화가 실패합니다."),
		"Jwt":                t("The AES-GCM-encrypted JWT.", "AES-GCM으로 암호화된 JWT입니다."),
		"unwrap": t("TPM2_RSA_Decrypt with the recreated ephemeral key, authorized by a policy session that ran TPM2_PolicyPCR over the current PCRs.",
			"다시 만든 임시 키로 수행하는 TPM2_RSA_Decrypt로, 현재 PCR에 대해 TPM2_PolicyPCR을 실행한 정책 세션으로 인가됩니다."),
		"AES-GCM": t("AES-GCM opens the JWT with the unwrapped key, the IV and the additional data \"Transport Key\".",
			"풀어낸 키, IV, 추가 데이터 \"Transport Key\"로 AES-GCM이 JWT를 엽니다."),
		"token": t("What came out: the compact JWT, verified in the next step.", "결과로 나온 토큰으로, 다음 단계에서 검증합니다."),
	}
})

var jwtFields = sync.OnceValue(func() map[string]present.Text {
	return map[string]present.Text{
		"alg": t("Signature algorithm; MAA signs with RS256 only, and anything else (none, HS256) is refused.",
			"서명 알고리즘입니다. MAA는 RS256으로만 서명하며, 그 밖의 값(none, HS256)은 거부합니다."),
		"kid": t("Which of the provider's published keys (JWKS at <provider>/certs) signed the token.",
			"공급자가 공개한 키(<공급자>/certs의 JWKS) 중 어느 키로 서명했는지 나타냅니다."),
		"jku": t("Where the token says its keys are. It is compared with the configured provider and never followed: a forged token could point anywhere.",
			"토큰이 주장하는 키 위치입니다. 설정된 공급자와 비교할 뿐 따라가지 않습니다. 위조된 토큰은 어디든 가리킬 수 있기 때문입니다."),
		"typ": t("Token type, JWT.", "토큰 종류(JWT)입니다."),
		"x5c": t("A certificate chain in the header. It is ignored: a token cannot vouch for its own key.",
			"헤더에 든 인증서 체인입니다. 토큰이 자기 키를 스스로 보증할 수는 없으므로 무시합니다."),
		"signature": t("Whether the RS256 signature verifies with the key named by kid, taken from the configured source.",
			"kid가 가리키는 키(설정된 출처에서 가져옴)로 RS256 서명이 검증되는지 여부입니다."),
		"key source": t("Where the verification key came from: the provider's /certs over TLS, or a JWKS file. Trust in the token rests on it.",
			"검증 키의 출처입니다: TLS로 받은 공급자의 /certs 또는 JWKS 파일. 토큰에 대한 신뢰가 여기에 달려 있습니다."),
		"iat": t("When MAA issued the token.", "MAA가 토큰을 발급한 시각입니다."),
		"nbf": t("Start of the validity period (MAA sets it to iat).", "토큰 유효기간의 시작 시각입니다(MAA는 iat와 같게 둡니다)."),
		"exp": t("End of the validity period, 8 hours after iat.", "토큰 유효기간의 끝으로, iat로부터 8시간 뒤입니다."),
		"lifetime": t("Whether the token is valid now, and for how long.",
			"토큰이 지금 유효한지, 얼마나 더 유효한지(토큰 유효기간)입니다."),
	}
})

// MAAProblem explains a failure of the call to MAA by name: a network problem ("dns",
// "refused", "timeout", "proxy", "tls", "reset", "too-large", "unreachable", "interrupted") or an HTTP
// answer ("http-400", "http-401", "http-404", "http-408", "http-429", "http-5xx",
// "http-other", "policy"). Both texts are empty for an unknown name.
func MAAProblem(name string) (meaning, hint present.Text) {
	en := maaProblems()[name]
	return en.Meaning, en.Hint
}

// MAAProblemShort names a problem in a few words, for a table cell.
func MAAProblemShort(name string) present.Text { return maaProblemShort()[name] }

// Built when first used, not at every start: most runs never look it up.
var maaProblemShort = sync.OnceValue(func() map[string]present.Text {
	return map[string]present.Text{
		"dns": t("DNS lookup failed", "DNS 이름 해석 실패"), "refused": t("connection refused", "연결 거부"),
		"timeout": t("timed out", "시간 초과"), "proxy": t("proxy failed", "프록시 연결 실패"),
		"tls": t("TLS certificate not trusted", "TLS 인증서 검증 실패"), "reset": t("connection closed", "연결 끊김"),
		"too-large": t("answer too large", "응답이 너무 큼"), "unreachable": t("unreachable", "연결 불가"),
		"interrupted": t("interrupted", "중단됨"),
		"policy":      t("policy denied", "정책 거부"), "http-400": t("evidence rejected", "증거 거부"),
		"http-401": t("authorization required", "인가 필요"), "http-404": t("no such endpoint", "엔드포인트 없음"),
		"http-408": t("request timed out", "요청 시간 초과"), "http-429": t("rate-limited", "요청 수 제한"),
		"http-5xx": t("server failure", "서버 오류"), "http-other": t("unexpected status", "예상하지 못한 상태"),
	}
})

// MAAProblemNames lists the catalogued problem names, sorted.
func MAAProblemNames() []string { return keys(maaProblems(), nil) }

// Built when first used, not at every start: most runs never look it up.
var maaProblems = sync.OnceValue(func() map[string]Entry {
	return map[string]Entry{
		"interrupted": eh("The call was interrupted (Ctrl-C, Esc or SIGTERM) before an answer arrived; nothing is known about the provider.", "응답이 오기 전에 호출이 중단되었습니다(Ctrl-C, Esc 또는 SIGTERM). 공급자 상태는 알 수 없습니다.",
			"Run the step again when you are ready.", "준비되면 단계를 다시 실행합니다."),
		"dns": eh("The provider's host name did not resolve (DNS).", "공급자 호스트 이름을 찾지 못했습니다(DNS).",
			"Check the attestation URL (-a) for typos and the VM's DNS; the shared providers are shared<code>.<code>.attest.azure.net (Korea Central: sharedkrc.krc.attest.azure.net).",
			"증명 URL(-a)의 오타와 VM의 DNS를 확인합니다. 공유 공급자는 shared<코드>.<코드>.attest.azure.net 형식입니다(한국 중부: sharedkrc.krc.attest.azure.net)."),
		"refused": eh("The connection was refused: nothing listens at that address and port.", "연결이 거부되었습니다. 그 주소와 포트에서 응답하는 서비스가 없습니다.",
			"Check the attestation URL and port; for the local emulator, check that it is running.",
			"증명 URL과 포트를 확인합니다. 로컬 에뮬레이터라면 실행 중인지 확인합니다."),
		"timeout": eh("The call timed out: no answer arrived in time.", "호출 시간이 초과되었습니다. 제때 응답이 오지 않았습니다.",
			"Allow outbound HTTPS (port 443) to the provider in the NSG and firewall, check the proxy, and retry.",
			"NSG와 방화벽에서 공급자로 가는 아웃바운드 HTTPS(443 포트)를 허용하고 프록시를 확인한 뒤 다시 시도합니다."),
		"proxy": eh("The HTTP proxy could not be reached or refused the connection.", "HTTP 프록시에 연결할 수 없거나 프록시가 연결을 거부했습니다.",
			"Check HTTPS_PROXY (and its credentials) or put the provider in NO_PROXY if the VM can reach it directly.",
			"HTTPS_PROXY(와 인증 정보)를 확인하거나, VM이 직접 접근할 수 있다면 공급자를 NO_PROXY에 넣습니다."),
		"tls": eh("The provider's TLS certificate did not verify.", "공급자의 TLS 인증서가 검증되지 않았습니다.",
			"Install the ca-certificates package; a TLS-inspecting proxy needs its CA installed. Verification is never turned off.",
			"ca-certificates 패키지를 설치합니다. TLS를 검사하는 프록시라면 그 CA를 설치해야 합니다. 검증은 끄지 않습니다."),
		"reset": eh("The connection was closed in the middle of the exchange.", "통신 도중 연결이 끊어졌습니다.",
			"Retry; if it keeps happening, a proxy or firewall is cutting the connection.",
			"다시 시도합니다. 계속되면 프록시나 방화벽이 연결을 끊고 있는 것입니다."),
		"too-large": eh("The answer was larger than any MAA answer; it was refused unread.", "응답이 어떤 MAA 응답보다도 커서 읽지 않고 거부했습니다.",
			"Check that the attestation URL (-a) names an attestation provider.", "증명 URL(-a)이 증명 공급자를 가리키는지 확인합니다."),
		"unreachable": eh("MAA could not be reached.", "MAA에 연결할 수 없었습니다.",
			"Check the URL, DNS, the proxy settings (HTTPS_PROXY, NO_PROXY) and outbound HTTPS.",
			"URL, DNS, 프록시 설정(HTTPS_PROXY, NO_PROXY), 아웃바운드 HTTPS를 확인합니다."),
		"policy": eh("MAA's attestation policy refused the evidence.", "MAA의 증명 정책이 증거를 거부했습니다.",
			"Fix what the denied claim names (usually Secure Boot or a debugger), or use your own provider with a custom policy.",
			"거부된 클레임이 가리키는 것(대개 보안 부팅이나 디버거)을 고치거나, 사용자 지정 정책을 둔 자체 공급자를 씁니다."),
		"http-400": eh("MAA rejected the evidence as invalid (HTTP 400).", "MAA가 증거를 유효하지 않다고 거부했습니다(HTTP 400).",
			"Compare the request with the local checks: a stale report, a wrong VCEK chain or a TDREPORT sent instead of a TD quote are common causes. 400 is not retried.",
			"요청을 로컬 검증 결과와 비교합니다. 오래된 보고서, 잘못된 VCEK 체인, TD 쿼트 대신 보낸 TDREPORT가 흔한 원인입니다. 400은 재시도하지 않습니다."),
		"http-401": eh("The provider requires authorization (HTTP 401/403).", "공급자가 인가를 요구합니다(HTTP 401/403).",
			"The shared regional providers need none: check the attestation URL (-a).", "리전 공유 공급자는 인가가 필요 없습니다. 증명 URL(-a)을 확인합니다."),
		"http-404": eh("No such endpoint (HTTP 404).", "해당 엔드포인트가 없습니다(HTTP 404).",
			"Check the attestation URL (-a) and the api-version.", "증명 URL(-a)과 api-version을 확인합니다."),
		"http-408": eh("MAA timed out reading the request (HTTP 408).", "MAA가 요청을 읽는 중 시간이 초과되었습니다(HTTP 408).",
			"Retry; a slow proxy can cause it.", "다시 시도합니다. 느린 프록시가 원인일 수 있습니다."),
		"http-429": eh("MAA is rate-limiting this client (HTTP 429).", "MAA가 이 클라이언트의 요청 수를 제한하고 있습니다(HTTP 429).",
			"Wait as long as Retry-After says and try again, or use your own attestation provider.",
			"Retry-After만큼 기다린 뒤 다시 시도하거나 자체 증명 공급자를 씁니다."),
		"http-5xx": eh("MAA had a server-side failure (HTTP 5xx).", "MAA 서버 쪽에서 오류가 났습니다(HTTP 5xx).",
			"Retry later and check Azure status for the region.", "나중에 다시 시도하고 해당 리전의 Azure 상태를 확인합니다."),
		"http-other": eh("MAA answered with an HTTP status cvmscope does not expect.", "MAA가 cvmscope가 예상하지 않은 HTTP 상태로 응답했습니다.",
			"Read MAA's message; check the attestation URL.", "MAA의 메시지를 읽고 증명 URL을 확인합니다."),
	}
})

// PolicyClaim says why MAA's policy may deny on a claim and what fixes it, for the claims
// the default AzureGuest policy checks; other claims get a general sentence.
func PolicyClaim(target string) (why, fix present.Text) {
	e, ok := policyClaims()[strings.ToLower(target)]
	if !ok {
		return t("the claim did not have the value the policy requires", "클레임 값이 정책이 요구하는 값이 아닙니다"),
			t("compare the claim with the evidence, or use a custom provider and policy", "클레임을 증거와 비교하거나, 사용자 지정 공급자와 정책을 씁니다")
	}
	return e.Meaning, e.Hint
}

var (
	fixSecureBoot = t("enable Secure Boot on the VM (or use a custom provider and policy)", "VM에서 보안 부팅을 켭니다(또는 사용자 지정 공급자와 정책을 씁니다)")
	fixDebug      = t("turn the debugger off in the boot configuration (or use a custom provider and policy)", "부팅 구성에서 디버거를 끕니다(또는 사용자 지정 공급자와 정책을 씁니다)")
	fixSigning    = t("turn test signing off (or use a custom provider and policy)", "테스트 서명을 끕니다(또는 사용자 지정 공급자와 정책을 씁니다)")
	fixOther      = t("compare the claim with the evidence, or use a custom provider and policy", "클레임을 증거와 비교하거나, 사용자 지정 공급자와 정책을 씁니다")
)

func pc(en, ko string, fix present.Text) Entry { return Entry{Meaning: t(en, ko), Hint: fix} }

// Built when first used, not at every start: most runs never look it up.
var policyClaims = sync.OnceValue(func() map[string]Entry {
	return map[string]Entry{
		"x-ms-azurevm-dbxvalidated": pc("Secure Boot is off, so its forbidden-signature database (dbx) could not be validated",
			"보안 부팅이 꺼져 있어 금지 서명 데이터베이스(dbx)를 검증할 수 없었습니다", fixSecureBoot),
		"x-ms-azurevm-dbvalidated": pc("Secure Boot is off, so its allowed-signature database (db) could not be validated",
			"보안 부팅이 꺼져 있어 허용 서명 데이터베이스(db)를 검증할 수 없었습니다", fixSecureBoot),
		"x-ms-azurevm-default-securebootkeysvalidated": pc("Secure Boot is off or uses non-default keys",
			"보안 부팅이 꺼져 있거나 기본 키가 아닌 키를 씁니다", fixSecureBoot),
		"x-ms-azurevm-secureboot": pc("Secure Boot is off", "보안 부팅이 꺼져 있습니다", fixSecureBoot),
		"secureboot":              pc("Secure Boot is off", "보안 부팅이 꺼져 있습니다", fixSecureBoot),
		"secure-boot":             pc("Secure Boot is off", "보안 부팅이 꺼져 있습니다", fixSecureBoot),
		"x-ms-azurevm-debuggersdisabled": pc("a boot or kernel debugger is enabled",
			"부트 또는 커널 디버거가 켜져 있습니다", fixDebug),
		"x-ms-azurevm-kerneldebug-enabled":     pc("kernel debugging is enabled", "커널 디버그가 켜져 있습니다", fixDebug),
		"x-ms-azurevm-bootdebug-enabled":       pc("boot debugging is enabled", "부트 디버그가 켜져 있습니다", fixDebug),
		"x-ms-azurevm-hypervisordebug-enabled": pc("hypervisor debugging is enabled", "하이퍼바이저 디버그가 켜져 있습니다", fixDebug),
		"x-ms-sevsnpvm-is-debuggable": pc("the SEV-SNP guest policy allows debugging, so the host could read guest memory",
			"SEV-SNP 게스트 정책이 디버그를 허용해 호스트가 게스트 메모리를 읽을 수 있습니다", fixDebug),
		"x-ms-azurevm-signingdisabled": pc("driver signature enforcement is disabled (test signing)",
			"드라이버 서명 강제가 꺼져 있습니다(테스트 서명)", fixSigning),
		"x-ms-azurevm-testsigning-enabled": pc("test signing is enabled", "테스트 서명이 켜져 있습니다", fixSigning),
		"x-ms-azurevm-vmid":                pc("the VM id did not match the policy", "VM ID가 정책과 맞지 않습니다", fixOther),
		"x-ms-isolation-tee": pc("the hardware TEE evidence did not satisfy the policy",
			"하드웨어 TEE 증거가 정책을 충족하지 못했습니다", fixOther),
		"x-ms-compliance-status": pc("the VM is not a compliant Azure CVM", "VM이 규정을 준수하는(compliant) Azure CVM이 아닙니다", fixOther),
	}
})
