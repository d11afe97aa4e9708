package explain

import (
	"strings"
	"sync"

	"github.com/cvmscope/cvmscope/attestation/claims"
	"github.com/cvmscope/cvmscope/attestation/present"
)

// boolField is what a boolean field's value says: the catalog's Field text describes the
// field in general, and a row showing "false" must not read "… is on".
type boolField struct{ yes, no present.Text }

// boolFields is built on first use, not at init, as checks is.
var boolFields = sync.OnceValue(func() map[string]map[string]boolField {
	return map[string]map[string]boolField{
		KindSNP: {
			"policy.smt_allowed": {t("The guest policy allows simultaneous multithreading on the host; allowed on Azure.", "게스트 정책이 호스트의 동시 멀티스레딩(SMT)을 허용합니다. Azure에서는 허용됩니다."),
				t("The guest policy forbids simultaneous multithreading on the host.", "게스트 정책이 호스트의 동시 멀티스레딩(SMT)을 허용하지 않습니다.")},
			"policy.migrate_ma": {t("A migration agent may move the VM: not expected on Azure, where it must be false.", "마이그레이션 에이전트가 VM을 옮길 수 있습니다. Azure에서는 false여야 합니다."),
				t("No migration agent may move the VM, as required.", "마이그레이션 에이전트가 VM을 옮길 수 없습니다. 요구대로입니다.")},
			"policy.debug": {t("The host may debug the guest, i.e. decrypt its memory: this VM is not confidential.", "호스트가 게스트를 디버그, 즉 메모리를 복호화할 수 있습니다. 이 VM은 기밀성이 없습니다."),
				t("The host may not debug the guest: its memory stays encrypted to the host, as a confidential VM requires.", "호스트가 게스트를 디버그할 수 없습니다. 기밀 VM에 필요한 대로 메모리가 호스트에 암호화된 채로 남습니다.")},
			"policy.single_socket": {t("The guest may run on one socket only.", "게스트가 하나의 소켓에서만 실행됩니다."),
				t("The guest may run across sockets.", "게스트가 여러 소켓에 걸쳐 실행될 수 있습니다.")},
			"platform_info.smt_enabled": {t("Simultaneous multithreading is on in the host.", "호스트에서 동시 멀티스레딩(SMT)이 켜져 있습니다."),
				t("Simultaneous multithreading is off in the host.", "호스트에서 동시 멀티스레딩(SMT)이 꺼져 있습니다.")},
			"platform_info.tsme_enabled": {t("Transparent memory encryption of the whole system (TSME) is on.", "시스템 전체의 투명 메모리 암호화(TSME)가 켜져 있습니다."),
				t("Transparent memory encryption of the whole system (TSME) is off; this VM's memory is still encrypted by SEV-SNP with its own key.", "시스템 전체의 투명 메모리 암호화(TSME)는 꺼져 있습니다. 이 VM의 메모리는 SEV-SNP가 VM 전용 키로 따로 암호화합니다.")},
			"platform_info.ecc_enabled": {t("The platform uses error-correcting memory.", "플랫폼이 오류 정정(ECC) 메모리를 씁니다."),
				t("The platform does not use error-correcting memory.", "플랫폼이 오류 정정(ECC) 메모리를 쓰지 않습니다.")},
			"platform_info.rapl_disabled": {t("Power reporting (RAPL) is off, closing a power side channel.", "전력 보고(RAPL)가 꺼져 전력 부채널이 막혀 있습니다."),
				t("Power reporting (RAPL) is on: software can read power use, a possible side channel.", "전력 보고(RAPL)가 켜져 있습니다. 소프트웨어가 전력 사용량을 읽을 수 있어 부채널이 될 수 있습니다.")},
			"platform_info.ciphertext_hiding_enabled": {t("Ciphertext hiding is on: the host cannot read the encrypted memory's ciphertext.", "암호문 숨김이 켜져 있어 호스트가 암호화된 메모리의 암호문을 읽을 수 없습니다."),
				t("Ciphertext hiding is off: the host can read the encrypted memory's ciphertext (not the plaintext).", "암호문 숨김이 꺼져 있습니다. 호스트가 암호화된 메모리의 암호문(평문은 아님)을 읽을 수 있습니다.")},
			"platform_info.alias_check_complete": {t("The firmware checked the memory for aliases since the last update.", "마지막 업데이트 이후 펌웨어가 메모리 별칭 검사를 마쳤습니다."),
				t("The firmware has not reported a memory alias check since the last update.", "마지막 업데이트 이후 펌웨어가 메모리 별칭 검사를 마쳤다고 보고하지 않았습니다.")},
			"platform_info.tio_enabled": {t("Trusted I/O (SEV-TIO) is on.", "신뢰 I/O(SEV-TIO)가 켜져 있습니다."),
				t("Trusted I/O (SEV-TIO) is off.", "신뢰 I/O(SEV-TIO)가 꺼져 있습니다.")},
			"key_info.author_key_en": {t("An author key signed the ID key (author_key_digest is set).", "작성자 키가 ID 키에 서명했습니다(author_key_digest가 채워집니다)."),
				t("No author key signed the ID key.", "작성자 키가 ID 키에 서명하지 않았습니다.")},
			"key_info.mask_chip_key": {t("The chip key is masked: the report carries no usable signature.", "칩 키가 가려져 보고서에 쓸 수 있는 서명이 없습니다."),
				t("The chip key is not masked: the report carries the chip's signature.", "칩 키가 가려지지 않아 보고서에 칩의 서명이 있습니다.")},
		},
		KindTDReport: {
			"td_attributes.DEBUG": {t("Debug TD: the host can read and change its memory and registers; this VM is not confidential.", "디버그 TD: 호스트가 메모리와 레지스터를 읽고 바꿀 수 있습니다. 이 VM은 기밀성이 없습니다."),
				t("Not a debug TD: the host cannot read its memory or registers.", "디버그 TD가 아닙니다. 호스트가 메모리와 레지스터를 읽을 수 없습니다.")},
			"td_attributes.SEPT_VE_DISABLE": {t("EPT violations on pending pages do not raise #VE in the TD, a hardening against host-induced exceptions.", "보류 중인 페이지의 EPT 위반이 TD에 #VE를 일으키지 않습니다. 호스트가 유발하는 예외에 대한 보호입니다."),
				t("EPT violations on pending pages raise #VE in the TD, which must handle them itself.", "보류 중인 페이지의 EPT 위반이 TD에 #VE를 일으키므로 TD가 직접 처리해야 합니다.")},
			"td_attributes.PKS": {t("Supervisor protection keys are available to the TD.", "TD가 슈퍼바이저 보호 키(PKS)를 쓸 수 있습니다."),
				t("Supervisor protection keys are not available to the TD.", "TD가 슈퍼바이저 보호 키(PKS)를 쓸 수 없습니다.")},
			"td_attributes.KL": {t("Key Locker is available to the TD.", "TD가 Key Locker를 쓸 수 있습니다."),
				t("Key Locker is not available to the TD.", "TD가 Key Locker를 쓸 수 없습니다.")},
			"td_attributes.PERFMON": {t("The TD may use performance monitoring counters.", "TD가 성능 모니터링 카운터를 쓸 수 있습니다."),
				t("The TD may not use performance monitoring counters.", "TD가 성능 모니터링 카운터를 쓸 수 없습니다.")},
		},
	}
})

// FieldValue explains a field for the value shown: what "true" or "false" says for a
// boolean field (runtime-claims booleans through the claims catalog), Field otherwise.
func FieldValue(kind, name, value string) present.Text {
	v := strings.ToLower(strings.TrimSpace(value))
	lookupKind := kind
	if kind == KindTDQuote {
		lookupKind = KindTDReport // the quote's TD body repeats the TDREPORT
	}
	if bf, ok := boolFields()[lookupKind][name]; ok {
		switch v {
		case "true":
			return bf.yes
		case "false":
			return bf.no
		}
	}
	if kind == KindRuntime && strings.HasPrefix(name, "vm-configuration.") {
		if e, ok := claims.Lookup(strings.TrimPrefix(name, "vm-configuration.")); ok {
			return t(e.For(v))
		}
	}
	return Field(kind, name)
}

// BoolFieldNames lists the boolean fields of a kind that have value texts.
func BoolFieldNames(kind string) []string { return keys(boolFields()[kind], nil) }
