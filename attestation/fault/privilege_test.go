package fault

import (
	"strings"
	"testing"
)

func playUID(t *testing.T, uid int) {
	t.Helper()
	old := Euid
	Euid = func() int { return uid }
	t.Cleanup(func() { Euid = old })
}

func TestRootHintNeverTellsRootToRunAsRoot(t *testing.T) {
	playUID(t, 0)
	for _, p := range []string{"/dev/tpmrm0", "/sys/kernel/security/tpm0/binary_bios_measurements"} {
		h := RootHint(p)
		if strings.Contains(h, "sudo") || !strings.Contains(h, "already runs as root") || !strings.Contains(h, p) {
			t.Errorf("as root, RootHint(%s) = %q", p, h)
		}
	}
	playUID(t, 1000)
	if h := RootHint("/dev/tpmrm0"); !strings.Contains(h, "sudo") || !strings.Contains(h, "tss") {
		t.Errorf("as a user, RootHint(/dev/tpmrm0) = %q, want sudo and the tss group", h)
	}
	if h := RootHint("/sys/kernel/security/tpm0/binary_bios_measurements"); !strings.Contains(h, "sudo") || strings.Contains(h, "tss") {
		t.Errorf("as a user, the event log's hint = %q, want sudo and no tss group (the group cannot read it)", h)
	}
}
