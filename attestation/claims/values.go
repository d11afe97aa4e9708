package claims

import "sync"

// Value-specific meanings of boolean claims. An entry's Meaning describes the claim in
// general ("whether boot debugging was enabled"); a row that shows a value must say what
// that value means, or "false" sits next to a sentence that reads as "it was on".
type boolText struct{ trueEN, trueKO, falseEN, falseKO string }

// boolTexts is built on first use, not at init: most processes never show a claim.
var boolTexts = sync.OnceValue(func() map[string]boolText {
	m := map[string]boolText{
		"secureboot": {
			"Secure Boot was on during boot (MAA read it from the measured event log): only signed boot loaders and kernels could run.",
			"부팅 중 보안 부팅(Secure Boot)이 켜져 있었습니다(MAA가 측정된 이벤트 로그에서 확인). 서명된 부트로더와 커널만 실행될 수 있었습니다.",
			"Secure Boot was off during boot (MAA read it from the measured event log): unsigned boot components could run.",
			"부팅 중 보안 부팅(Secure Boot)이 꺼져 있었습니다(MAA가 측정된 이벤트 로그에서 확인). 서명되지 않은 부팅 구성 요소가 실행될 수 있었습니다."},
		"secure-boot": {
			"UEFI Secure Boot is on in the VM configuration.", "VM 설정에서 UEFI 보안 부팅이 켜져 있습니다.",
			"UEFI Secure Boot is off in the VM configuration.", "VM 설정에서 UEFI 보안 부팅이 꺼져 있습니다."},
		"tpm-enabled": {
			"The vTPM is enabled.", "vTPM이 켜져 있습니다.",
			"The vTPM is disabled: no PCRs, quote or event log can be trusted from it.", "vTPM이 꺼져 있습니다. PCR, 쿼트, 이벤트 로그를 믿을 근거가 없습니다."},
		"tpm-persisted": {
			"The paravisor runs in stateful mode (attestation not suppressed); the legacy name does not say whether the vTPM state is persisted.",
			"패러바이저가 상태 유지 모드로 실행됩니다(증명이 억제되지 않음). 이전부터 쓰던 이름일 뿐 vTPM 상태가 저장되는지를 나타내지는 않습니다.",
			"The paravisor runs in stateless mode: attestation is suppressed.", "패러바이저가 상태 비유지(stateless) 모드로 실행됩니다. 증명이 억제됩니다."},
		"console-enabled": {
			"The serial console is enabled for the VM.", "VM의 직렬 콘솔이 켜져 있습니다.",
			"The serial console is disabled for the VM.", "VM의 직렬 콘솔이 꺼져 있습니다."},
		"filtered-vpci-devices-allowed": {
			"Filtered virtual PCI devices may be assigned to the VM.", "필터링된 가상 PCI 장치를 VM에 할당할 수 있습니다.",
			"Filtered virtual PCI devices may not be assigned to the VM.", "필터링된 가상 PCI 장치를 VM에 할당할 수 없습니다."},
		"x-ms-azurevm-is-windows": {
			"The guest OS is Windows.", "게스트 OS가 Windows입니다.",
			"The guest OS is not Windows (Linux on the workshop's VMs).", "게스트 OS가 Windows가 아닙니다(워크숍 VM에서는 Linux)."},
		"x-ms-azurevm-bootdebug-enabled": {
			"Boot debugging was enabled in the boot configuration: a debugger could attach during boot.",
			"부팅 구성에서 부팅 디버그가 켜져 있었습니다. 부팅 중 디버거가 연결될 수 있었습니다.",
			"Boot debugging was off in the boot configuration.", "부팅 구성에서 부팅 디버그가 꺼져 있었습니다."},
		"x-ms-azurevm-kerneldebug-enabled": {
			"Kernel debugging was enabled in the boot configuration: a kernel debugger could read or change memory.",
			"부팅 구성에서 커널 디버그가 켜져 있었습니다. 커널 디버거가 메모리를 읽거나 바꿀 수 있었습니다.",
			"Kernel debugging was off in the boot configuration.", "부팅 구성에서 커널 디버그가 꺼져 있었습니다."},
		"x-ms-azurevm-hypervisordebug-enabled": {
			"Hypervisor debugging was enabled in the guest's boot configuration.", "게스트 부팅 구성에서 하이퍼바이저 디버그가 켜져 있었습니다.",
			"Hypervisor debugging was off in the guest's boot configuration.", "게스트 부팅 구성에서 하이퍼바이저 디버그가 꺼져 있었습니다."},
		"x-ms-azurevm-debuggersdisabled": {
			"Kernel, boot and hypervisor debuggers were disabled.", "커널, 부팅, 하이퍼바이저 디버거가 꺼져 있었습니다.",
			"A debugger was allowed: it could read or change guest memory.", "디버거가 허용되어 있었습니다. 디버거가 게스트 메모리를 읽거나 바꿀 수 있었습니다."},
		"x-ms-azurevm-elam-enabled": {
			"Early-Launch Anti-Malware was loaded (Windows).", "ELAM(조기 실행 맬웨어 방지) 드라이버가 로드되었습니다(Windows).",
			"Early-Launch Anti-Malware was not loaded; expected on Linux.", "ELAM(조기 실행 맬웨어 방지) 드라이버가 로드되지 않았습니다. Linux에서는 정상입니다."},
		"x-ms-azurevm-flightsigning-enabled": {
			"Windows flight (pre-release) signing was accepted at boot.", "부팅 시 Windows 플라이트(시험판) 서명을 허용했습니다.",
			"Windows flight (pre-release) signing was not accepted at boot.", "부팅 시 Windows 플라이트(시험판) 서명을 허용하지 않았습니다."},
		"x-ms-azurevm-testsigning-enabled": {
			"Test signing was enabled: test-signed drivers could load.", "테스트 서명이 켜져 있어 테스트 서명된 드라이버를 로드할 수 있었습니다.",
			"Test signing was off: test-signed drivers could not load.", "테스트 서명이 꺼져 있어 테스트 서명된 드라이버를 로드할 수 없었습니다."},
		"x-ms-azurevm-signingdisabled": {
			"Non-production signing modes appear to be disabled (true in every healthy sample; Microsoft does not document it).",
			"비프로덕션 서명 모드가 꺼져 있는 것으로 보입니다(정상 샘플에서는 항상 true, Microsoft 문서에 정의 없음).",
			"Non-production signing modes appear to be allowed (false is denied by common policies).",
			"비프로덕션 서명 모드가 허용된 것으로 보입니다(false는 일반적인 정책에서 거부됩니다)."},
		"x-ms-azurevm-dbvalidated": {
			"The Secure Boot allowed-signature database (db) matched what MAA expects.", "보안 부팅 허용 서명 데이터베이스(db)가 MAA가 기대하는 값과 일치했습니다.",
			"The Secure Boot allowed-signature database (db) did not match what MAA expects.", "보안 부팅 허용 서명 데이터베이스(db)가 MAA가 기대하는 값과 일치하지 않았습니다."},
		"x-ms-azurevm-dbxvalidated": {
			"The Secure Boot revocation list (dbx) matched what MAA expects.", "보안 부팅 해지 목록(dbx)이 MAA가 기대하는 값과 일치했습니다.",
			"The Secure Boot revocation list (dbx) did not match what MAA expects: revoked boot components could run.", "보안 부팅 해지 목록(dbx)이 MAA가 기대하는 값과 일치하지 않았습니다. 해지된 부팅 구성 요소가 실행될 수 있었습니다."},
		"x-ms-azurevm-default-securebootkeysvalidated": {
			"The VM uses the default (Microsoft) Secure Boot keys.", "VM이 기본(Microsoft) 보안 부팅 키를 사용합니다.",
			"The VM uses custom Secure Boot keys.", "VM이 사용자 지정 보안 부팅 키를 사용합니다."},
		"x-ms-sevsnpvm-is-debuggable": {
			"The SEV-SNP guest policy allows debugging (policy bit DEBUG): the host can decrypt the guest's memory.",
			"SEV-SNP 게스트 정책이 디버그를 허용합니다(정책 비트 DEBUG). 호스트가 게스트 메모리를 복호화할 수 있습니다.",
			"The SEV-SNP guest policy forbids debugging (policy bit DEBUG off): the host cannot decrypt the guest's memory.",
			"SEV-SNP 게스트 정책이 디버그를 허용하지 않습니다(정책 비트 DEBUG 꺼짐). 호스트가 게스트 메모리를 복호화할 수 없습니다."},
		"x-ms-sevsnpvm-migration-allowed": {
			"The guest policy allows migration through a migration agent (policy bit MIGRATE_MA).", "게스트 정책이 마이그레이션 에이전트를 통한 마이그레이션을 허용합니다(정책 비트 MIGRATE_MA).",
			"The guest policy forbids migration through a migration agent (policy bit MIGRATE_MA off).", "게스트 정책이 마이그레이션 에이전트를 통한 마이그레이션을 허용하지 않습니다(정책 비트 MIGRATE_MA 꺼짐)."},
		"x-ms-sevsnpvm-smt-allowed": {
			"The guest policy allows simultaneous multithreading on the host (policy bit SMT).", "게스트 정책이 호스트의 동시 멀티스레딩(SMT)을 허용합니다(정책 비트 SMT).",
			"The guest policy forbids simultaneous multithreading on the host (policy bit SMT off).", "게스트 정책이 호스트의 동시 멀티스레딩(SMT)을 허용하지 않습니다(정책 비트 SMT 꺼짐)."},
		"x-ms-sgx-is-debuggable": {
			"The SGX enclave was launched in debug mode: its memory can be read.", "SGX 엔클레이브가 디버그 모드로 시작되어 메모리를 읽을 수 있습니다.",
			"The SGX enclave was launched in production (non-debug) mode.", "SGX 엔클레이브가 프로덕션(디버그 아님) 모드로 시작되었습니다."},
		"tdx_td_attributes_debug": {
			"The TD runs in debug mode (TD attribute DEBUG): the host can read and change its memory.", "TD가 디버그 모드로 실행됩니다(TD 속성 DEBUG). 호스트가 메모리를 읽고 바꿀 수 있습니다.",
			"The TD does not run in debug mode (TD attribute DEBUG off).", "TD가 디버그 모드로 실행되지 않습니다(TD 속성 DEBUG 꺼짐)."},
		"tdx_td_attributes_key_locker": {
			"The TD may use Intel Key Locker.", "TD가 Intel Key Locker를 쓸 수 있습니다.",
			"The TD may not use Intel Key Locker.", "TD가 Intel Key Locker를 쓸 수 없습니다."},
		"tdx_td_attributes_perfmon": {
			"The TD may use performance monitoring.", "TD가 성능 모니터링을 쓸 수 있습니다.",
			"The TD may not use performance monitoring.", "TD가 성능 모니터링을 쓸 수 없습니다."},
		"tdx_td_attributes_protection_keys": {
			"The TD may use supervisor protection keys.", "TD가 슈퍼바이저 보호 키를 쓸 수 있습니다.",
			"The TD may not use supervisor protection keys.", "TD가 슈퍼바이저 보호 키를 쓸 수 없습니다."},
		"tdx_td_attributes_septve_disable": {
			"EPT-violation #VE exceptions are disabled for the TD (SEPT_VE_DISABLE), a hardening against host-induced exceptions.",
			"TD의 EPT 위반 #VE 예외가 꺼져 있습니다(SEPT_VE_DISABLE). 호스트가 유발하는 예외에 대한 보호입니다.",
			"EPT-violation #VE exceptions are enabled for the TD: the guest must handle them itself.",
			"TD의 EPT 위반 #VE 예외가 켜져 있어 게스트가 직접 처리해야 합니다."},
	}
	addRuntimeNewBoolTexts(m)
	return m
})

// For returns the meaning of the entry for the value shown, in English and Korean: what
// true or false says for a boolean claim, Meaning for anything else.
func (e Entry) For(value string) (en, ko string) {
	name := e.Name
	if target, ok := deprecatedAliases()[name]; ok {
		name = target
	}
	if bt, ok := boolTexts()[name]; ok {
		switch value {
		case "true":
			return bt.trueEN, bt.trueKO
		case "false":
			return bt.falseEN, bt.falseKO
		}
	}
	return e.Meaning, e.MeaningKO
}

// BoolClaims lists the claims whose meaning depends on a true or false value.
func BoolClaims() []string {
	out := make([]string, 0, len(boolTexts()))
	for n := range boolTexts() {
		out = append(out, n)
	}
	return out
}
