package explain

// aloneChecks explain the verdicts on what arrives without the evidence it serves
// (attestation/pki, eventlog.banks) and on a file inspect cannot read.
func aloneChecks() map[string]Entry {
	return map[string]Entry{
		"certs.chain": eh(
			"Certificates given without a report or quote are checked as a chain to AMD's roots (ARK-Milan, -Genoa, -Turin, as go-sev-guest embeds them) or Intel's SGX Root CA (pinned fingerprint), every certificate valid at --now, and not revoked where a CRL from one of its issuers is given.",
			"보고서나 쿼트 없이 주어진 인증서를 AMD 루트(go-sev-guest에 내장된 ARK-Milan, -Genoa, -Turin)나 Intel SGX Root CA(고정된 지문)까지의 체인으로 검증합니다. 모든 인증서가 --now 시각에 유효해야 하고, 발급자의 CRL이 주어지면 폐기되지 않았어야 합니다.",
			"A chain that does not reach a vendor root is not AMD's or Intel's (a simulated chain needs --trust-simulated); an expired one needs the current certificate from AMD KDS or Intel PCS, or --now with the time the evidence was made.",
			"제조사 루트까지 이어지지 않는 체인은 AMD나 Intel의 것이 아닙니다(시뮬레이션 체인은 --trust-simulated가 필요합니다). 만료된 체인이면 AMD KDS나 Intel PCS에서 최신 인증서를 받거나, 증거를 만든 시각을 --now로 줍니다."),
		"crl.signature": eh(
			"The CRL is signed by the certificate it names as its issuer, found among the files, the evidence or the built-in roots (AMD's ARKs sign AMD's CRLs, Intel's SGX Root CA its root CA CRL), and that certificate chains to a root you trust. Without its issuer the check fails: a signature never checked is not a pass.",
			"CRL이 발급자로 적힌 인증서(파일, 증거 또는 내장 루트에서 찾은 것. AMD CRL은 AMD ARK가, Intel 루트 CA CRL은 Intel SGX Root CA가 서명합니다)의 서명을 받았고, 그 인증서가 신뢰하는 루트까지 이어집니다. 발급자가 없으면 실패합니다. 확인하지 않은 서명은 통과가 아닙니다.",
			"Give the issuer's certificate with its chain as a PEM file alongside (for Intel's PCK CRL: the SGX-PCK-CRL-Issuer-Chain header of Intel PCS's answer, or the PCK chain of a TD quote). A CRL that does not verify was altered or belongs to another issuer; download it again from AMD KDS or Intel PCS.",
			"발급자 인증서를 체인과 함께 PEM 파일로 줍니다(Intel PCK CRL이면 Intel PCS 응답의 SGX-PCK-CRL-Issuer-Chain 헤더나 TD 쿼트의 PCK 체인). 검증되지 않는 CRL은 변조되었거나 다른 발급자의 것입니다. AMD KDS나 Intel PCS에서 다시 받습니다."),
		"crl.fresh": eh(
			"The CRL is current at --now: issued before it, and its next update not yet due.",
			"CRL이 --now 시각에 최신입니다. 그 전에 발행되었고 다음 갱신 예정일이 아직 지나지 않았습니다.",
			"A stale CRL may miss recent revocations; fetch the current one from its issuer.",
			"오래된 CRL에는 최근 폐기가 빠져 있을 수 있습니다. 발급자에게서 최신 CRL을 받습니다."),
		"tdx.collateral.signature": eh(
			"Intel's TCB info or QE identity is signed (ECDSA P-256 over the body exactly as served) by a certificate given beside it, Intel's TCB signing certificate, which chained to Intel's SGX Root CA when the document was issued. Without that certificate the check fails.",
			"Intel TCB 정보나 QE identity가 함께 주어진 인증서(Intel TCB 서명 인증서)로 서명되었고(제공된 본문 그대로에 대한 ECDSA P-256), 그 인증서가 문서 발행 시점에 Intel SGX Root CA까지 이어집니다. 그 인증서가 없으면 실패합니다.",
			"Give the TCB signing chain as a PEM file alongside (Intel PCS's TCB-Info-Issuer-Chain header for TCB info, SGX-Enclave-Identity-Issuer-Chain for QE identity, URL-decoded); a signature that does not verify means the document was altered.",
			"TCB 서명 체인을 PEM 파일로 함께 줍니다(TCB 정보는 Intel PCS의 TCB-Info-Issuer-Chain 헤더, QE identity는 SGX-Enclave-Identity-Issuer-Chain 헤더를 URL 디코딩한 것). 서명이 검증되지 않으면 문서가 변조된 것입니다."),
		"tdx.collateral.fresh": eh(
			"Intel's TCB info or QE identity is current at --now: issued before it, its nextUpdate not yet passed.",
			"Intel TCB 정보나 QE identity가 --now 시각에 최신입니다. 그 전에 발행되었고 nextUpdate가 아직 지나지 않았습니다.",
			"Stale collateral may judge a TCB by outdated levels; fetch current collateral from Intel PCS.",
			"오래된 collateral은 지난 기준으로 TCB를 판단할 수 있습니다. Intel PCS에서 최신 collateral을 받습니다."),
		"eventlog.banks": eh(
			"The event log given without PCR values replays in every bank it carries (SHA-1, SHA-256, SHA-384), giving the PCR values it claims, as tpm2_eventlog prints them; they are unverified until compared with quoted PCRs.",
			"PCR 값 없이 주어진 이벤트 로그를 담긴 모든 뱅크(SHA-1, SHA-256, SHA-384)에서 재생해, tpm2_eventlog처럼 로그가 주장하는 PCR 값을 보여 줍니다. 쿼트된 PCR 값과 비교하기 전까지는 검증되지 않은 값입니다.",
			"To verify the values, give the quote (TPMS_ATTEST, signature, PCR values) from the same boot.",
			"값을 검증하려면 같은 부팅의 쿼트(TPMS_ATTEST, 서명, PCR 값)를 함께 줍니다."),
		"input.unknown": eh(
			"Every file given to inspect is of a format it reads; the others are checked even when one is not.",
			"inspect에 준 모든 파일이 읽을 수 있는 형식입니다. 읽을 수 없는 파일이 있어도 나머지는 검사합니다.",
			"The message lists the formats inspect reads (README: Formats inspect reads); convert the file to one of them, or leave it out.",
			"메시지에 inspect가 읽는 형식이 나옵니다(README: inspect가 읽는 형식). 파일을 그중 하나로 바꾸거나 뺍니다."),
	}
}
