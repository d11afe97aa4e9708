package tpm

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/hw/tpm/swtpmtest"
)

func TestSwtpmOverTCP(t *testing.T) {
	addr, tcti := swtpmtest.Start(t)
	tp, err := Open(ctx, "tcp://"+addr)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(tp.Desc(), addr) {
		t.Errorf("Desc() = %q", tp.Desc())
	}
	pcrs, err := tp.ReadPCRs(ctx)
	if err != nil || len(pcrs) != 24 {
		t.Fatalf("ReadPCRs: %d values, %v", len(pcrs), err)
	}
	const idx = 0x01500010
	data := randBytes(t, 1500) // more than swtpm's 1024-byte NV buffer
	if err := tp.NVDefine(ctx, idx, len(data), testNVAttrs); err != nil {
		t.Fatal(err)
	}
	if err := tp.NVWrite(ctx, idx, data); err != nil {
		t.Fatal(err)
	}
	got, err := tp.NVRead(ctx, idx)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("NV round trip over tcp: equal %v, %v", bytes.Equal(got, data), err)
	}
	if err := tp.NVWriteUserData(ctx, []byte("swtpm")); err != nil {
		t.Fatal(err)
	}
	// swtpm serves one client at a time: hand it over to tpm2-tools.
	if err := tp.Close(); err != nil {
		t.Fatal(err)
	}

	if _, err := exec.LookPath("tpm2_nvread"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("tpm2-tools not installed and CI is set")
		}
		t.Skip("tpm2-tools not installed; the TCTI string is not exercised")
	}
	cmd := exec.Command("tpm2_nvread", "-C", "o", "0x01400002")
	cmd.Env = append(os.Environ(), "TPM2TOOLS_TCTI="+tcti)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tpm2_nvread via %s: %v", tcti, err)
	}
	want := append([]byte("swtpm"), make([]byte, 59)...)
	if !bytes.Equal(out, want) {
		t.Fatalf("tpm2_nvread read %x, want %x", out, want)
	}
}
