package uitest

import (
	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/workshop"
)

type T = present.Text

var t = present.T

func row(key, value string, v check.Verdict, explain T) present.Row {
	return present.Row{Key: key, Value: value, Verdict: v, Explain: explain, PCR: -1}
}

// PreflightPage is the test-data Preflight page.
func PreflightPage(secureBootOff bool) present.Page {
	sb := row("Secure Boot", "enabled (runtime claims vm-configuration.secure-boot = true)", check.Pass,
		t("UEFI Secure Boot was on at boot, so only signed boot loaders and kernels ran.", "부팅할 때 UEFI 보안 부팅이 켜져 있어 서명된 부트로더와 커널만 실행되었습니다."))
	verdict := check.Pass
	if secureBootOff {
		sb = row("Secure Boot", "disabled (runtime claims vm-configuration.secure-boot = false)", check.Warn,
			t("UEFI Secure Boot was off at boot: unsigned boot code could have run. MAA policies that require it will refuse this VM.",
				"부팅할 때 UEFI 보안 부팅이 꺼져 있어 서명되지 않은 부팅 코드가 실행될 수 있었습니다. 이를 요구하는 MAA 정책은 이 VM을 거부합니다."))
		sb.Hint = t("Enable Secure Boot in the VM's security settings (az vm update --enable-secure-boot true) and reboot.",
			"VM 보안 설정에서 보안 부팅을 켜고(az vm update --enable-secure-boot true) 다시 부팅합니다.")
		verdict = check.Warn
	}
	rows := []present.Row{
		row("Platform", "Simulated CVM · AMD SEV-SNP (test data)", check.Pass, t("Where the evidence comes from: detected from the HCL report type and the TPM.", "증거의 출처: HCL 보고서 유형과 TPM에서 감지했습니다.")),
		row("TPM device", "/dev/tpmrm0 (rw, group tss)", check.Pass, t("The vTPM resource manager; cvmscope needs read and write access to it.", "vTPM 리소스 관리자입니다. 읽기와 쓰기 권한이 필요합니다.")),
		row("IMDS", "169.254.169.254 reachable in 3 ms", check.Pass, t("Azure Instance Metadata Service: VM size, region, and the VCEK certificate chain.", "Azure 인스턴스 메타데이터 서비스: VM 크기, 지역, VCEK 인증서 체인을 제공합니다.")),
		row("VM size", "Standard_DC4as_v5", check.Pass, t("DCasv5 sizes run on AMD EPYC Milan with SEV-SNP.", "DCasv5 크기는 SEV-SNP를 지원하는 AMD EPYC Milan에서 실행됩니다.")),
		row("Region", "koreacentral", check.Pass, t("The region picks the nearest shared MAA endpoint.", "지역에 따라 가장 가까운 공유 MAA 엔드포인트가 정해집니다.")),
		row("MAA endpoint", "https://sharedkrc.krc.attest.azure.net", check.Pass, t("The shared Microsoft Azure Attestation instance for Korea Central.", "한국 중부의 공유 Microsoft Azure Attestation 인스턴스입니다.")),
		row("Proxy", "none (HTTPS_PROXY unset)", check.Skip, t("IMDS must never go through a proxy; MAA may.", "IMDS는 프록시를 거치면 안 되고, MAA는 거쳐도 됩니다.")),
		sb,
		row("Event log", "/sys/kernel/security/tpm0/binary_bios_measurements (36486 bytes)", check.Pass, t("The TCG2 log of everything measured into PCRs 0-7 during boot.", "부팅 중 PCR 0-7에 측정된 모든 것을 기록한 TCG2 로그입니다.")),
		row("Clock", "2026-11-23T15:41:07Z, skew 0.2 s", check.Pass, t("Token lifetimes are checked against this clock; more than 5 minutes of skew breaks them.", "토큰 유효기간은 이 시계로 확인합니다. 5분 넘게 어긋나면 검증이 실패합니다.")),
	}
	return present.Page{
		Step: string(workshop.Preflight), Title: workshop.Preflight.Title(), Verdict: verdict,
		Summary:  t("Can this machine attest? Platform, TPM, network and boot settings.", "이 머신이 증명할 수 있는가? 플랫폼, TPM, 네트워크, 부팅 설정을 확인합니다."),
		Sections: []present.Section{{ID: "env", Title: t("Environment", "환경"), Kind: present.Fields, Rows: rows}},
	}
}
