package explain

import (
	"maps"
	"sync"
)

// checkAliases maps IDs that other code emits under an older or informal name to the
// catalogued one, so that a renamed check keeps its explanation.
var checkAliases = sync.OnceValue(func() map[string]string {
	return map[string]string{
		"snp.vcek.chain": "snp.chain",
	}
})

// checks is the catalog of check explanations, with the tables of checks_alone.go,
// checks_knobs.go, checks_wbcl.go and maa.go merged in. It is built on first use, not at
// init: these few hundred entries made explain the largest initialiser among cvmscope's
// packages, paid by every process (cvmscope --version included).
var checks = sync.OnceValue(func() map[string]Entry {
	m := map[string]Entry{
		// The HCL report: the paravisor's envelope around the hardware report.
		"hcl.parse": eh(
			"The HCL report read from vTPM NV 0x01400001 (header, hardware report, IGVM data, runtime claims) has the layout Azure's paravisor writes.",
			"vTPM NV 0x01400001에서 읽은 HCL 보고서(헤더, 하드웨어 보고서, IGVM 데이터, 런타임 클레임)가 Azure 패러바이저가 쓰는 형식과 일치합니다.",
			"The error names the field and offset. Read the index again (tpm2_nvread -C o 0x01400001) and make sure the file is the whole index, not a JSON or base64 dump of it.",
			"오류 메시지에 필드와 오프셋이 나옵니다. 인덱스를 다시 읽고(tpm2_nvread -C o 0x01400001) 파일이 JSON이나 base64로 변환된 것이 아니라 인덱스 전체인지 확인합니다."),
		"hcl.binding": eh(
			"REPORT_DATA in the hardware report starts with the hash of the runtime claims, so the hardware vouches for the claims: HCLAkPub, the VM configuration and user-data.",
			"하드웨어 보고서의 REPORT_DATA가 런타임 클레임의 해시로 시작하므로, 하드웨어가 클레임(HCLAkPub, VM 설정, user-data)을 보증합니다.",
			"A mismatch means the claims were altered or come from another report. Early 2022 preview reports do not bind their claims; read a current report from the VM.",
			"불일치는 클레임이 변조되었거나 다른 보고서의 것임을 뜻합니다. 2022년 초기 프리뷰 보고서는 클레임을 묶지 않으므로 VM에서 현재 보고서를 다시 읽습니다."),

		// AMD SEV-SNP.
		"snp.parse": eh(
			"The SEV-SNP attestation report (1184 bytes) decodes: version, policy, TCB, measurement and signature fields.",
			"SEV-SNP 증명 보고서(1184바이트)의 버전, 정책, TCB, 측정값, 서명 필드를 해석할 수 있습니다.",
			"The error names the field and offset; check that the input is an SEV-SNP report, not an HCL report or a TDX structure.",
			"오류 메시지에 필드와 오프셋이 나옵니다. 입력이 HCL 보고서나 TDX 구조가 아닌 SEV-SNP 보고서인지 확인합니다."),
		"snp.signature": eh(
			"The AMD secure processor signed the report with this chip's VCEK (ECDSA P-384): the report was made by AMD hardware and not altered.",
			"AMD 보안 프로세서가 이 칩의 VCEK(ECDSA P-384)로 보고서에 서명했습니다. 보고서는 AMD 하드웨어가 만들었고 변조되지 않았습니다.",
			"A failure means the report was altered or the VCEK belongs to another chip or TCB. On Azure fetch the VCEK chain for this VM from IMDS (THIM: /metadata/THIM/amd/certification).",
			"실패는 보고서가 변조되었거나 VCEK가 다른 칩 또는 TCB의 것임을 뜻합니다. Azure에서는 이 VM의 VCEK 체인을 IMDS(THIM: /metadata/THIM/amd/certification)에서 받습니다."),
		"snp.chain": eh(
			"The VCEK is certified by AMD: VCEK → ASK → ARK, up to AMD's root for this processor line (Milan, Genoa, Turin).",
			"VCEK가 AMD의 인증을 받았습니다: VCEK → ASK → ARK로 이 프로세서 계열(Milan, Genoa, Turin)의 AMD 루트까지 이어집니다.",
			"Supply the VCEK, ASK and ARK together (the THIM JSON carries all three) and judge validity at a sensible time (--now).",
			"VCEK, ASK, ARK를 함께 제공하고(THIM JSON에 셋 다 있습니다) 유효기간은 적절한 시각(--now)으로 판단합니다."),

		"snp.vcek-binding": eh(
			"The VCEK (or VLEK) is this report's: its TCB extensions equal the report's reported_tcb byte for byte, its hwID equals the report's chip_id (a VLEK names the cloud provider instead), and its product matches the report's CPU. Only reported_tcb is bound; minimum TCB and revocation are judged elsewhere.",
			"VCEK(또는 VLEK)가 이 보고서의 것입니다. TCB 확장이 보고서의 reported_tcb와 바이트 단위로 같고, hwID가 보고서의 chip_id와 같으며(VLEK는 대신 클라우드 공급자를 나타냅니다), 제품이 보고서의 CPU와 맞습니다. 묶이는 것은 reported_tcb뿐이며 최소 TCB와 폐기 여부는 다른 곳에서 판정합니다.",
			"A mismatch means the certificate was issued for another chip or another firmware level: fetch the VCEK for this VM again (IMDS THIM /metadata/THIM/amd/certification, or AMD KDS with this chip_id and reported_tcb).",
			"불일치는 인증서가 다른 칩이나 다른 펌웨어 수준용으로 발급되었음을 뜻합니다. 이 VM의 VCEK를 다시 받습니다(IMDS THIM /metadata/THIM/amd/certification, 또는 이 chip_id와 reported_tcb로 AMD KDS)."),
		"snp.structure": eh(
			"The report follows the layout of its version (2-5): reserved fields and bits are zero where AMD's ABI says so, the signer is a VCEK or VLEK with the chip key, the signature is ECDSA P-384/SHA-384, and the report was requested at VMPL 0 (by Azure's paravisor).",
			"보고서가 그 버전(2-5)의 형식을 따릅니다. AMD ABI가 정한 예약 필드와 비트가 0이고, 서명자는 칩 키를 쓰는 VCEK나 VLEK이며, 서명은 ECDSA P-384/SHA-384이고, 보고서는 VMPL 0(Azure 패러바이저)에서 요청되었습니다.",
			"A violation means the report is garbled, from firmware newer than this tool, or not made by the paravisor; read the report again from vTPM NV 0x01400001.",
			"위반은 보고서가 손상되었거나, 이 도구보다 새로운 펌웨어에서 왔거나, 패러바이저가 만든 것이 아님을 뜻합니다. vTPM NV 0x01400001에서 보고서를 다시 읽습니다."),

		// Intel TDX.
		"tdx.parse": eh(
			"The TDREPORT (1024 bytes) or TD quote (version 4, or 5 for TDX 1.5) decodes field by field.",
			"TDREPORT(1024바이트) 또는 TD 쿼트(버전 4, TDX 1.5는 버전 5)를 필드별로 해석할 수 있습니다.",
			"The error names the structure, field and offset; a TD quote comes from IMDS POST /acc/tdquote, not from the vTPM.",
			"오류 메시지에 구조, 필드, 오프셋이 나옵니다. TD 쿼트는 vTPM이 아니라 IMDS POST /acc/tdquote에서 받습니다."),
		"tdx.quote.signature": eh(
			"The TD quote is signed by Intel's quoting enclave, whose key is certified by the PCK certificate chain up to Intel's SGX root.",
			"TD 쿼트가 Intel 쿼팅 엔클레이브의 서명을 받았고, 그 키는 PCK 인증서 체인으로 Intel SGX 루트까지 인증됩니다.",
			"A failure means the quote was altered or its PCK chain is not Intel's; fetch the quote again from IMDS.",
			"실패는 쿼트가 변조되었거나 PCK 체인이 Intel의 것이 아님을 뜻합니다. IMDS에서 쿼트를 다시 받습니다."),
		"tdx.quote.matches-report": eh(
			"The signed TD quote carries exactly the TDREPORT in the HCL report (REPORT_DATA, MRTD, RTMRs, TCB), so Intel's signature covers the report the runtime claims are bound to.",
			"서명된 TD 쿼트가 HCL 보고서 안의 TDREPORT(REPORT_DATA, MRTD, RTMR, TCB)와 정확히 같으므로, Intel의 서명이 런타임 클레임이 묶인 보고서를 보증합니다.",
			"A difference means the quote was made for another report: request a new quote for the current report.",
			"차이가 있으면 쿼트가 다른 보고서로 만들어진 것입니다. 현재 보고서로 쿼트를 다시 요청합니다."),
		"tdx.tcb": eh(
			"Intel's TCB info for this platform (FMSPC) rates the TDX module and CPU security versions: UpToDate, OutOfDate or Revoked.",
			"이 플랫폼(FMSPC)에 대한 Intel TCB 정보로 TDX 모듈과 CPU의 보안 버전(SVN)을 평가합니다: UpToDate, OutOfDate, Revoked.",
			"OutOfDate means the host runs firmware with known advisories; Azure updates hosts, MAA weighs it. Supply current collateral or use --network.",
			"OutOfDate는 호스트 펌웨어에 알려진 보안 권고가 있음을 뜻합니다. Azure가 호스트를 업데이트하며 MAA가 이를 반영합니다. 최신 콜래터럴을 제공하거나 --network를 씁니다."),
		"snp.revocation": eh(
			"With --network, cvmscope fetches AMD's CRL for the product from AMD KDS, checks that the trusted ARK signed it, and that it revokes neither the ASK nor the VCEK.",
			"--network를 주면 cvmscope가 AMD KDS에서 제품의 CRL을 받아, 신뢰하는 ARK가 서명했는지와 ASK나 VCEK를 폐기하지 않았는지 확인합니다.",
			"A revoked certificate means the key can no longer vouch for reports: the host must get a new VCEK. A fetch failure leaves revocation unchecked; check access to kdsintf.amd.com.",
			"폐기된 인증서는 그 키가 더 이상 보고서를 보증할 수 없음을 뜻하므로 호스트가 새 VCEK를 받아야 합니다. 가져오기에 실패하면 폐기 여부를 확인하지 못한 것이므로 kdsintf.amd.com에 접근할 수 있는지 확인합니다."),
		"tdx.collateral.fetch": eh(
			"With --network, cvmscope asks Intel PCS for the TCB info, QE identity and PCK CRL of this platform; this says the fetch failed, so tdx.tcb had nothing to judge the TCB by.",
			"--network를 주면 cvmscope가 Intel PCS에 이 플랫폼의 TCB info, QE identity, PCK CRL을 요청합니다. 이 검사는 그 요청이 실패해 tdx.tcb가 TCB를 판단할 근거가 없었음을 알립니다.",
			"Check access to api.trustedservices.intel.com (HTTPS_PROXY) and run again, or supply the collateral files.",
			"api.trustedservices.intel.com(HTTPS_PROXY)에 접근할 수 있는지 확인한 뒤 다시 실행하거나 collateral 파일을 넘깁니다."),
		"tdx.mrtd-endorsed": eh(
			"MRTD, the measurement of the TD's initial image, is one Microsoft publishes for its paravisor. On Azure it measures the paravisor, not your guest OS.",
			"TD 초기 이미지의 측정값 MRTD가 Microsoft가 공개한 패러바이저 값과 일치합니다. Azure에서는 게스트 OS가 아니라 패러바이저를 측정합니다.",
			"An unknown MRTD can be a new paravisor release; compare it with the value in a fresh MAA token before distrusting the VM.",
			"알 수 없는 MRTD는 새 패러바이저 릴리스일 수 있습니다. VM을 불신하기 전에 새로 받은 MAA 토큰의 값과 비교합니다."),

		// The vTPM.
		"ak.parse": eh(
			"The attestation key's public part (TPM2B_PUBLIC or a PEM/DER key) decodes as an RSA key.",
			"증명 키(AK)의 공개 부분(TPM2B_PUBLIC 또는 PEM/DER 키)을 RSA 키로 해석할 수 있습니다.",
			"Read it again with tpm2_readpublic -c 0x81000003 -o ak.pub.",
			"tpm2_readpublic -c 0x81000003 -o ak.pub 로 다시 읽습니다."),
		"ak.binding": eh(
			"The vTPM attestation key that signs quotes is HCLAkPub from the runtime claims, so the hardware report vouches for it.",
			"쿼트에 서명하는 vTPM 증명 키가 런타임 클레임의 HCLAkPub과 같으므로, 하드웨어 보고서가 이 키를 보증합니다.",
			"A different key means the quote came from another TPM than the one this report describes; read the report and the quote on the same VM.",
			"키가 다르면 쿼트가 이 보고서가 설명하는 TPM이 아닌 다른 TPM에서 나온 것입니다. 같은 VM에서 보고서와 쿼트를 읽습니다."),
		"ak.certificate": eh(
			"The AK certificate in NV 0x01C101D0, issued by Azure's vTPM CA, is for this attestation key and valid now, and its chain reaches a vTPM root you chose (--vtpm-root). Where a verified SEV-SNP/TDX report binds the AK, that binding anchors it and the certificate is informational; on Trusted Launch and in a go-tpm-tools attestation the certificate is the only link from the vTPM to a CA.",
			"NV 0x01C101D0의 AK 인증서가 Azure vTPM CA에서 이 증명 키에 대해 발급되었고 현재 유효하며, 그 체인이 사용자가 고른 vTPM 루트(--vtpm-root)에 닿습니다. 검증된 SEV-SNP/TDX 보고서가 AK를 묶으면 그 바인딩이 AK를 보증하고 인증서는 참고용입니다. Trusted Launch나 하드웨어 보고서 없이 쿼트와 AK 인증서만 있는 증명에서는 이 인증서가 vTPM을 CA에 잇는 유일한 연결입니다.",
			"A placeholder issuer means it is not provisioned yet: retry after a few minutes. An expired certificate is renewed by Azure's guest agent. \"Not checked against a root you chose\": give Azure's vTPM root with --vtpm-root FILE, or --trust-simulated for simulated evidence.",
			"임시 발급자이면 아직 프로비저닝되지 않은 것입니다. 몇 분 후 다시 시도합니다. 만료된 인증서는 Azure 게스트 에이전트가 갱신합니다. \"사용자가 고른 루트로 검증하지 않았습니다\"이면 --vtpm-root FILE로 Azure vTPM 루트를 주거나, 시뮬레이션 증거라면 --trust-simulated를 씁니다."),
		"tpm.quote.signature": eh(
			"The TPM quote (TPMS_ATTEST) is signed by the attestation key: the vTPM itself reported these PCRs.",
			"TPM 쿼트(TPMS_ATTEST)가 증명 키로 서명되었습니다. 이 PCR 값은 vTPM 자신이 보고한 것입니다.",
			"A failure means the quote was altered or signed by another key; quote again with tpm2_quote -c 0x81000003.",
			"실패는 쿼트가 변조되었거나 다른 키로 서명되었음을 뜻합니다. tpm2_quote -c 0x81000003으로 다시 쿼트합니다."),
		"tpm.quote.nonce": eh(
			"The quote's extraData equals the nonce of this request, so the quote is fresh and not replayed.",
			"쿼트의 extraData가 이번 요청의 논스(nonce)와 같으므로, 쿼트가 새로 만들어졌고 재사용되지 않았습니다.",
			"Quote again with the current nonce (qualifying data).",
			"현재 논스를 qualifyingData로 넣어 다시 쿼트합니다."),
		"tpm.quote.pcr-digest": eh(
			"The PCR values shown hash to the digest inside the signed quote, so they are the values the vTPM signed.",
			"표시된 PCR 값의 해시가 서명된 쿼트 안의 다이제스트와 같으므로, vTPM이 서명한 바로 그 값입니다.",
			"Read the PCRs and the quote together (tpm2_quote -o/-f also writes the PCR values); a PCR extended in between changes the digest.",
			"PCR과 쿼트를 함께 읽습니다(`tpm2_quote -o/-f`도 PCR 값을 씁니다). 그 사이에 PCR이 확장되면 다이제스트가 바뀝니다."),

		"tpm.enckey.certify": eh(
			"The AK certified the ephemeral encryption key (TPM2_Certify): the key MAA encrypts its answer to lives in the same vTPM that signed the quote.",
			"AK가 임시 암호화 키를 인증했습니다(TPM2_Certify). MAA가 응답을 암호화하는 키가 쿼트에 서명한 바로 그 vTPM 안에 있습니다.",
			"Create the encryption key and certify it with the AK (0x81000003) in the same session as the quote.",
			"쿼트와 같은 세션에서 암호화 키를 만들고 AK(0x81000003)로 인증합니다."),
		"tpm.enckey.policy": eh(
			"The encryption key decrypts only while the PCRs hold the quoted values (PolicyPCR, decrypt-only, fixedTPM), so only this VM in this boot state can read MAA's answer.",
			"암호화 키는 PCR이 쿼트된 값일 때만 복호화할 수 있습니다(PolicyPCR, 복호화 전용, fixedTPM). 따라서 이 부팅 상태의 이 VM만 MAA의 응답을 읽을 수 있습니다.",
			"Re-create the key with a PolicyPCR over the same PCRs as the quote, right before attesting.",
			"증명 직전에 쿼트와 같은 PCR에 대한 PolicyPCR로 키를 다시 만듭니다."),

		// The event log.
		"eventlog.parse": eh(
			"The TCG event log (binary_bios_measurements) parses to its end: every event, its PCR and its digests.",
			"TCG 이벤트 로그(binary_bios_measurements)를 끝까지 해석했습니다: 각 이벤트와 PCR, 다이제스트.",
			"The error names the event and byte offset; copy the log as root from /sys/kernel/security/tpm0/binary_bios_measurements without converting it.",
			"오류 메시지에 이벤트와 바이트 오프셋이 나옵니다. root로 /sys/kernel/security/tpm0/binary_bios_measurements를 변환 없이 복사합니다."),
		"eventlog.replay": eh(
			"Extending the log's SHA-256 digests in order reproduces the PCR value (the quoted one, or for a PCR outside the quote the value read from the TPM), so each logged event (firmware, boot loader, Secure Boot variables) is what was measured. EV_NO_ACTION events only inform the reader and are never extended, so they are not counted.",
			"로그의 SHA-256 다이제스트를 순서대로 확장하면 PCR 값(쿼트된 값, 쿼트 밖의 PCR이면 TPM에서 읽은 값)이 나오므로, 기록된 각 이벤트(펌웨어, 부트로더, 보안 부팅 변수)가 실제로 측정된 것입니다. EV_NO_ACTION 이벤트는 읽는 쪽을 위한 정보일 뿐 확장되지 않으므로 세지 않습니다.",
			"A mismatch means an event is missing, altered or added; read the log and the quote from the same boot.",
			"불일치는 이벤트가 빠졌거나 변조되었거나 추가되었음을 뜻합니다. 같은 부팅에서 로그와 쿼트를 읽습니다."),
		"boot.secureboot": eh(
			"UEFI Secure Boot was on: only signed boot loaders and kernels could run (vm-configuration.secure-boot and the SecureBoot variable in PCR 7).",
			"UEFI 보안 부팅(Secure Boot)이 켜져 있었습니다. 서명된 부트로더와 커널만 실행될 수 있습니다(vm-configuration.secure-boot와 PCR 7의 SecureBoot 변수).",
			"Enable Secure Boot in the VM's security settings and restart it; PCR 7 then records the Secure Boot policy.",
			"VM 보안 설정에서 보안 부팅을 켜고 다시 시작합니다. 그러면 PCR 7에 보안 부팅 정책이 기록됩니다."),
		"certs.parse": eh(
			"Every supplied certificate decodes as X.509 (DER or PEM).",
			"제공된 모든 인증서를 X.509(DER 또는 PEM)로 해석할 수 있습니다.",
			"Check the file named in the message; THIM returns JSON whose vcekCert and certificateChain fields are PEM.",
			"메시지에 나온 파일을 확인합니다. THIM은 vcekCert와 certificateChain 필드가 PEM인 JSON을 반환합니다."),
		"tpm.quote.parse": eh(
			"The TPM quote message (TPMS_ATTEST) decodes field by field: magic, type, signer, extra data, clock, firmware, PCR selection and digest.",
			"TPM 쿼트 메시지(TPMS_ATTEST)를 필드별(매직, 타입, 서명자, 추가 데이터, 클록, 펌웨어, PCR 선택과 다이제스트)로 해석할 수 있습니다.",
			"The error names the field and offset. Save the message exactly as TPM2_Quote returned it (tpm2_quote -m), without a size prefix or the signature appended.",
			"오류 메시지에 필드와 오프셋이 나옵니다. TPM2_Quote가 돌려준 메시지를 크기 접두사나 서명 없이 그대로 저장합니다(tpm2_quote -m)."),
		"pcrs.parse": eh(
			"The PCR values file holds 24 × 32-byte SHA-256 values, or JSON with hex values keyed pcrN.",
			"PCR 값 파일이 SHA-256 값 24 × 32바이트이거나, pcrN 키에 16진수 값을 둔 JSON입니다.",
			"Save the values again (tpm2_pcrread sha256 -o pcrs.bin) and pass the whole file.",
			"값을 다시 저장하고(tpm2_pcrread sha256 -o pcrs.bin) 파일 전체를 넘깁니다."),
		"crl.parse": eh(
			"The CRL file decodes as an X.509 certificate revocation list (DER or PEM).",
			"CRL 파일을 X.509 인증서 폐기 목록(DER 또는 PEM)으로 해석할 수 있습니다.",
			"Download it again from Intel PCS; the error says where it stops decoding.",
			"Intel PCS에서 다시 받습니다. 오류 메시지에 해석이 멈춘 위치가 나옵니다."),
		"tdx.collateral.parse": eh(
			"Intel's TCB info or QE identity file is a JSON document.",
			"Intel TCB 정보 또는 QE 식별 파일이 JSON 문서입니다.",
			"Download it again from Intel PCS (/tdx/certification/v4/tcb, /qe/identity); the error gives the byte where it breaks.",
			"Intel PCS(/tdx/certification/v4/tcb, /qe/identity)에서 다시 받습니다. 오류 메시지에 깨진 바이트 위치가 나옵니다."),
		"trustee.parse": eh(
			"The trustee evidence JSON (az-snp-vtpm or az-tdx-vtpm, versions 0 to 2) has every field its version needs: the HCL report, the TPM quote with its signature and PCR values, and the VCEK or the TD quote.",
			"trustee 증거 JSON(az-snp-vtpm 또는 az-tdx-vtpm, 버전 0~2)에 그 버전에 필요한 필드가 모두 있습니다. HCL 보고서, 서명과 PCR 값이 있는 TPM 쿼트, VCEK나 TD 쿼트입니다.",
			"The error names the JSON field. Save the evidence again as the attester wrote it; a file edited by hand or re-encoded by another tool may have lost or gained a field.",
			"오류 메시지에 JSON 필드가 나옵니다. 증명자가 쓴 그대로 증거를 다시 저장합니다. 손으로 고치거나 다른 도구로 다시 인코딩한 파일은 필드가 빠지거나 늘었을 수 있습니다."),
		"bundle.parse": eh(
			"The cvmscope evidence bundle is JSON of a known format and version, with every field of the right type.",
			"cvmscope 증거 번들이 알려진 형식과 버전의 JSON이고 모든 필드의 타입이 맞습니다.",
			"The error names the field and offset. Save the bundle again with --save; a newer version needs a newer cvmscope.",
			"오류 메시지에 필드와 오프셋이 나옵니다. --save로 번들을 다시 저장합니다. 더 새로운 버전은 더 새로운 cvmscope가 필요합니다."),
		"input.unused": eh(
			"Every file given to inspect was read by at least one check that passed or failed: nothing supplied was silently ignored.",
			"`cvmscope inspect`에 준 모든 파일을 통과 또는 실패한 검사가 하나 이상 읽었습니다. 아무 파일도 조용히 무시되지 않았습니다.",
			"The message says what the file was recognised as and what else it needs to be checked; add that file, or leave this one out.",
			"메시지에 파일이 무엇으로 인식되었고 검사에 무엇이 더 필요한지 나옵니다. 그 파일을 추가하거나 이 파일을 뺍니다."),
		"evidence.unverified": eh(
			"Every signed item inspect was given (a SEV-SNP report or TDREPORT, a TD quote, a TPM quote, a token) had its signature checked: fields shown from an item nothing vouches for do not pass as verified.",
			"`cvmscope inspect`에 준 서명된 항목(SEV-SNP 보고서나 TDREPORT, TD 쿼트, TPM 쿼트, 토큰)은 모두 서명을 검증했습니다. 아무것도 보증하지 않는 항목에서 보여 준 필드는 검증된 것으로 통과하지 않습니다.",
			"The message names each item and what checks it: the VCEK certificate or --network for a SEV-SNP report, the PCK chain for a TD quote, the TD quote for a TDREPORT, the AK public key or an HCL report for a TPM quote, --jwks FILE or -a for a token. Add it and run again; to only read the fields, ignore the exit code.",
			"메시지에 각 항목과 그것을 검증하는 데 필요한 것이 나옵니다. SEV-SNP 보고서에는 VCEK 인증서나 --network, TD 쿼트에는 PCK 체인, TDREPORT에는 TD 쿼트, TPM 쿼트에는 AK 공개 키나 HCL 보고서, 토큰에는 --jwks FILE이나 -a. 이를 더해 다시 실행합니다. 필드만 읽으려면 종료 코드를 무시합니다."),

		// The MAA token.
		"jwt.parse": eh(
			"The token file is a compact JWT of at most 1 MiB: three canonical, unpadded base64url parts, a JSON header and JSON claims without duplicate keys, nested at most 64 levels. Line breaks and spaces are ignored.",
			"토큰 파일이 1 MiB 이하의 간결한 JWT입니다: 패딩 없는 정규 base64url 세 부분, 중복 키 없이 최대 64단계로 중첩된 JSON 헤더와 JSON 클레임. 줄바꿈과 공백은 무시합니다.",
			"Save the token again (cvmscope -o token > token.jwt, or AttestationClient -o token); the error names the part that breaks. An encrypted JWE (five parts) must be decrypted first.",
			"토큰을 다시 저장합니다(`cvmscope -o token > token.jwt` 또는 `AttestationClient -o token`). 오류 메시지에 깨진 부분이 나옵니다. 암호화된 JWE(다섯 부분)는 먼저 복호화해야 합니다."),
		"jwks.parse": eh(
			"The key set file is a JWKS: JSON with a keys array of RSA keys or x5c certificates.",
			"키 세트 파일이 JWKS(RSA 키 또는 x5c 인증서의 keys 배열을 가진 JSON)입니다.",
			"Download it again from the provider's /certs; the error gives the field and byte offset.",
			"공급자의 /certs에서 다시 받습니다. 오류 메시지에 필드와 바이트 오프셋이 나옵니다."),
		"jwt.signature": eh(
			"The MAA token's RS256 signature verifies with the key its kid names from the attestation provider's published keys (JWKS), an RSA key of at least 2048 bits; a header that names critical extensions (crit) is refused.",
			"MAA 토큰의 RS256 서명이 kid가 가리키는, 증명 공급자가 공개한 키(JWKS)로 검증됩니다. 키는 2048비트 이상의 RSA 키여야 하며, 임계 확장(crit)을 지정한 헤더는 거부합니다.",
			"Fetch the keys from the same endpoint that issued the token (<endpoint>/certs); a token whose key is not published cannot be checked offline.",
			"토큰을 발급한 엔드포인트(<엔드포인트>/certs)에서 키를 받습니다. 키가 공개되지 않은 토큰은 오프라인으로 검증할 수 없습니다."),
		"jwt.issuer": eh(
			"The token issuer (iss) is the MAA endpoint that was called.",
			"토큰 발급자(iss)가 호출한 MAA 엔드포인트와 같습니다.",
			"Call the regional shared endpoint for your region (Korea Central: sharedkrc.krc.attest.azure.net) or your own provider, and expect that issuer.",
			"리전의 공유 엔드포인트(한국 중부, Korea Central: sharedkrc.krc.attest.azure.net) 또는 자체 공급자를 호출하고 그 발급자를 기대값으로 둡니다."),
		"jwt.lifetime": eh(
			"The token is within its validity period (nbf ≤ now < exp).",
			"토큰이 유효기간(nbf ≤ 현재 < exp) 안에 있습니다.",
			"Request a new token; if it is fresh but rejected, fix the system clock (NTP) or pass --now.",
			"새 토큰을 요청합니다. 새 토큰인데도 거부되면 시스템 시계(NTP)를 맞추거나 --now를 씁니다."),
		"jwt.version": eh(
			"The token's x-ms-ver is a format cvmscope knows, so its claims are read as documented.",
			"토큰의 x-ms-ver가 cvmscope가 아는 형식이므로 클레임을 문서대로 해석합니다.",
			"A newer version may rename claims; check the MAA release notes.",
			"새 버전은 클레임 이름을 바꿀 수 있습니다. MAA 릴리스 노트를 확인합니다."),
		"jwt.tee": eh(
			"The token's attestation type names the TEE the evidence came from (sevsnpvm, tdxvm, or a Trusted Launch VM).",
			"토큰의 증명 유형이 증거를 만든 TEE(sevsnpvm, tdxvm, Trusted Launch VM)를 나타냅니다.",
			"A different type means the token was issued for another VM or attestation flow.",
			"유형이 다르면 토큰이 다른 VM이나 다른 증명 흐름으로 발급된 것입니다."),
		"jwt.nonce": eh(
			"The nonce in the token is the one this request sent, so the token is fresh.",
			"토큰 안의 논스(nonce)가 이번 요청에서 보낸 값과 같으므로, 토큰이 새로 발급되었습니다.",
			"Request a new token with a new nonce; never accept a token carrying someone else's nonce.",
			"새 논스로 토큰을 다시 요청합니다. 다른 논스가 담긴 토큰은 받아들이지 않습니다."),
		"jwt.user-data": eh(
			"x-ms-runtime user-data in the token equals what was written to NV 0x01400002 before the report was read.",
			"토큰의 x-ms-runtime user-data가 보고서를 읽기 전에 NV 0x01400002에 쓴 값과 같습니다.",
			"Write the user data, read the report again, then attest with that report.",
			"사용자 데이터를 쓰고 보고서를 다시 읽은 뒤 그 보고서로 증명합니다."),
		"jwt.matches-evidence": eh(
			"The claims MAA issued (measurements, policy bits, TCB, vmUniqueId) equal what cvmscope read from the evidence itself.",
			"MAA가 발급한 클레임(측정값, 정책 비트, TCB, vmUniqueId)이 cvmscope가 증거에서 직접 읽은 값과 같습니다.",
			"A difference means the token was issued for other evidence; attest again with this VM's report.",
			"차이가 있으면 토큰이 다른 증거로 발급된 것입니다. 이 VM의 보고서로 다시 증명합니다."),
		"policy.expect": eh(
			"A claim you required with --expect has the value you gave; on a claim the baseline also covers, yours is the rule that applies.",
			"--expect로 요구한 클레임이 지정한 값을 가집니다. 기준선도 다루는 클레임이면 사용자의 --expect가 적용됩니다.",
			"Either the VM is not in the state you require (for example Secure Boot off), or the expectation is wrong; the detail shows expected and actual values.",
			"VM이 요구한 상태가 아니거나(예: 보안 부팅 꺼짐) 기대값이 잘못되었습니다. 상세 정보에 기대값과 실제값이 나옵니다."),
		"policy.result": eh(
			"cvmscope policy check ran your MAA attestation policy over the claims, rule by rule, as MAA does: a permit() fired and no deny() did, so MAA would issue a token with the claims listed.",
			"cvmscope policy check가 MAA 증명 정책을 클레임에 MAA처럼 규칙 하나씩 실행했습니다. permit()가 실행되고 deny()는 실행되지 않았으므로 MAA는 나열된 클레임으로 토큰을 발급합니다.",
			"The rule and the claim named decided the denial: change the VM (for example turn Secure Boot on) or the rule, and check again; MAA would answer 400 PolicyEvaluationError.",
			"이름이 나온 규칙과 클레임이 거부를 정했습니다. VM(예: 보안 부팅 켜기)이나 규칙을 고친 뒤 다시 검사합니다. MAA는 400 PolicyEvaluationError로 답합니다."),
		"policy.baseline": eh(
			"The Azure CVM baseline cvmscope applies unless --no-baseline: Secure Boot on, debuggers off, and for SEV-SNP or TDX a compliant, non-debuggable guest (VMPL 0 on SEV-SNP). The claim has the value the baseline requires.",
			"--no-baseline을 주지 않으면 cvmscope가 적용하는 Azure CVM 기준선입니다: 보안 부팅 켜짐, 디버거 꺼짐, SEV-SNP와 TDX에서는 규정을 준수(compliant)하고 디버그할 수 없는 게스트(SEV-SNP는 VMPL 0). 클레임이 기준선이 요구하는 값을 가집니다.",
			"The VM is not in the state a confidential workload needs (for example Secure Boot off or a debuggable guest): fix the VM and attest again. To judge by your own rule instead, give --expect CLAIM=VALUE for that claim, or --no-baseline.",
			"VM이 기밀 워크로드에 필요한 상태가 아닙니다(예: 보안 부팅 꺼짐, 디버그 가능한 게스트). VM을 고친 뒤 다시 증명합니다. 자체 규칙으로 판단하려면 해당 클레임에 --expect CLAIM=VALUE를 주거나 --no-baseline을 씁니다."),

		// Preflight.
		"preflight.platform": eh(
			"Where the evidence will come from: a real Azure Confidential VM or Trusted Launch VM, or the simulated CVM with test roots.",
			"증거의 출처입니다: 실제 Azure Confidential VM(기밀 VM) 또는 Trusted Launch VM, 아니면 테스트 루트를 쓰는 시뮬레이션 CVM.",
			"On a machine that is not Azure, use --platform sim; on Azure, check the VM's security type.",
			"Azure가 아닌 머신에서는 `--platform sim`을 씁니다. Azure에서는 VM의 보안 유형을 확인합니다."),
		"preflight.tpm": eh(
			"The vTPM device opens and answers (/dev/tpmrm0 on Linux).",
			"vTPM 장치가 열리고 응답합니다(Linux의 /dev/tpmrm0).",
			"Run with sudo or add your user to the tss group; on a machine without a vTPM use the simulated CVM (--platform sim).",
			"sudo로 실행하거나 사용자를 tss 그룹에 추가합니다. vTPM이 없는 머신에서는 시뮬레이션 CVM(`--platform sim`)을 씁니다."),
		"preflight.imds": eh(
			"Azure's Instance Metadata Service (IMDS, 169.254.169.254) answers: it supplies the VM size, region, VCEK chain (THIM) and the TD quote.",
			"Azure 인스턴스 메타데이터 서비스(IMDS, 169.254.169.254)가 응답합니다. VM 크기, 리전, VCEK 체인(THIM), TD 쿼트를 제공합니다.",
			"IMDS is reachable only from inside an Azure VM and never through a proxy; check NO_PROXY and local firewall rules.",
			"IMDS는 Azure VM 안에서만, 프록시 없이 접근할 수 있습니다. NO_PROXY와 로컬 방화벽 규칙을 확인합니다."),
		"preflight.endpoint": eh(
			"The MAA endpoint chosen for this VM's region (for Korea Central the shared sharedkrc endpoint) resolves and answers.",
			"이 VM의 리전에 맞춰 고른 MAA 엔드포인트(한국 중부는 공유 sharedkrc 엔드포인트)가 이름 해석되고 응답합니다.",
			"Choose another provider with -a URL (e.g. -a https://sharedkrc.krc.attest.azure.net); check DNS and outbound HTTPS.",
			"다른 공급자는 -a URL로 고릅니다(예: -a https://sharedkrc.krc.attest.azure.net). DNS와 아웃바운드 HTTPS를 확인합니다."),
		"preflight.proxy": eh(
			"Proxy settings (HTTPS_PROXY, NO_PROXY) that apply to the call to MAA; IMDS is always reached directly.",
			"MAA 호출에 적용되는 프록시 설정(HTTPS_PROXY, NO_PROXY)입니다. IMDS는 항상 직접 연결합니다.",
			"If MAA is unreachable behind a proxy, set HTTPS_PROXY; add 169.254.169.254 to NO_PROXY.",
			"프록시 뒤에서 MAA에 닿지 않으면 HTTPS_PROXY를 설정하고, NO_PROXY에 169.254.169.254를 추가합니다."),
		"preflight.secureboot": eh(
			"Secure Boot as the runtime claims report it (vm-configuration.secure-boot).",
			"런타임 클레임이 보고한 보안 부팅 상태(vm-configuration.secure-boot)입니다.",
			"Enable Secure Boot in the VM's security settings and restart it; attestation policies usually require it.",
			"VM 보안 설정에서 보안 부팅을 켜고 다시 시작합니다. 증명 정책은 보통 이를 요구합니다."),
		"preflight.eventlog": eh(
			"The TCG event log is readable, so the PCRs can be explained event by event.",
			"TCG 이벤트 로그를 읽을 수 있어 PCR을 이벤트별로 설명할 수 있습니다.",
			"The log at /sys/kernel/security/tpm0/binary_bios_measurements is readable by root only: run with sudo.",
			"/sys/kernel/security/tpm0/binary_bios_measurements의 로그는 root만 읽을 수 있습니다. sudo로 실행합니다."),
		"preflight.clock": eh(
			"The system clock, at which token lifetimes and certificate validity are judged.",
			"토큰 유효기간과 인증서 유효성을 판단하는 기준인 시스템 시계입니다.",
			"Fix the clock with NTP (chrony), or pass --now to judge saved evidence at a chosen time.",
			"NTP(chrony)로 시계를 맞추거나, 저장된 증거를 특정 시각으로 판단하려면 --now를 씁니다."),
	}
	maps.Copy(m, aloneChecks())
	maps.Copy(m, knobChecks())
	addWBCLCheck(m)
	for id, en := range maaChecks() {
		// Another file may catalogue the same id first; its text then stands.
		if _, ok := m[id]; !ok {
			m[id] = en
		}
	}
	return m
})
