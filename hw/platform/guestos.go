package platform

import (
	"runtime"

	"github.com/cvmscope/cvmscope/attestation/evidence"
)

// WindowsQuotePCRs is the PCR set Windows guests quote (azure-protocol.md §1.5: Azure's
// clients add 11-14, where Windows boot manager and loader measure the boot).
var WindowsQuotePCRs = []int{0, 1, 2, 3, 4, 5, 6, 7, 11, 12, 13, 14}

// defaultQuotePCRs is what Azure's own client would quote on this guest: a real vTPM read by
// a Windows build quotes Windows' set; the simulated CVM is a Linux guest wherever it runs.
func defaultQuotePCRs(src evidence.Source, goos string) []int {
	if src == evidence.SourceAzure && goos == "windows" {
		return WindowsQuotePCRs
	}
	return QuotePCRs
}

func (p *Platform) defaultQuotePCRs() []int { return defaultQuotePCRs(p.Source, runtime.GOOS) }
