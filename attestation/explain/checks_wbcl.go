package explain

// addWBCLCheck adds the explanation of the Windows boot records (checks builds the catalog).
func addWBCLCheck(checks map[string]Entry) {
	checks["eventlog.windows"] = eh(
		"What Windows boot manager and loader measured about the boot (SIPA records in PCRs 12 and 13, read with go-attestation's ParseWinEvents): boot counter, boot and kernel debugging, test signing, code integrity, DEP, the modules and ELAM drivers loaded. MAA derives its x-ms-azurevm-*debug*, testsigning and elam claims from the same log. The records are vouched for only when PCRs 12 and 13 replay to the quoted values.",
		"Windows 부팅 관리자와 로더가 부팅에 대해 측정한 내용입니다(PCR 12와 13의 SIPA 레코드, go-attestation의 ParseWinEvents로 읽음): 부팅 카운터, 부팅·커널 디버깅, 테스트 서명, 코드 무결성, DEP, 로드된 모듈과 ELAM 드라이버. MAA는 같은 로그에서 x-ms-azurevm-*debug*, testsigning, elam 클레임을 만듭니다. PCR 12와 13이 쿼트된 값으로 재생될 때에만 이 기록이 보증됩니다.",
		"Debugging or test signing on: turn it off (bcdedit /set {current} debug off, bcdedit /set testsigning off, bcdedit /set bootdebug off) and restart the VM; code integrity or DEP off: restore the default boot configuration (bcdedit /set nx OptIn). If go-attestation could not read the records, the event table still lists them one by one.",
		"디버깅이나 테스트 서명이 켜져 있으면 끄고(bcdedit /set {current} debug off, bcdedit /set testsigning off, bcdedit /set bootdebug off) VM을 다시 시작합니다. 코드 무결성이나 DEP가 꺼져 있으면 기본 부팅 구성으로 되돌립니다(bcdedit /set nx OptIn). go-attestation이 레코드를 읽지 못했어도 이벤트 표에는 하나씩 그대로 나옵니다.")
}
