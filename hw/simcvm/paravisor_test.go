package simcvm

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/hcl"
	"github.com/google/go-tpm/tpm2"
	"github.com/google/go-tpm/tpm2/transport"
)

// nvReadRC issues NV_Read and returns its response code (0 on success).
func nvReadRC(t *testing.T, tpm transport.TPM, index uint32, size, offset int, password []byte) tpm2.TPMRC {
	t.Helper()
	_, err := tpm2.NVRead{
		AuthHandle: tpm2.AuthHandle{Handle: tpm2.TPMRHOwner, Auth: tpm2.PasswordAuth(password)},
		NVIndex:    tpm2.NamedHandle{Handle: tpm2.TPMHandle(index), Name: tpm2.HandleName(tpm2.TPMHandle(index))},
		Size:       uint16(size),
		Offset:     uint16(offset),
	}.Execute(tpm)
	if err == nil {
		return 0
	}
	rc, ok := tpmRC(err)
	if !ok {
		t.Fatalf("NV_Read 0x%08x size %d offset %d: not a TPM response code: %v", index, size, offset, err)
	}
	return rc
}

// TestParavisorErrorsMatchTheTPM reads out of range from the paravisor's 2600-byte index and
// from a real 2048-byte index in the simulator, and requires the same response codes.
func TestParavisorErrorsMatchTheTPM(t *testing.T) {
	c, inner := provision(t, TEESEVSNP, []byte("errors"))
	const realIndex, realSize = 0x01500010, 2048
	attrs := tpm2.TPMANV{OwnerWrite: true, AuthWrite: true, OwnerRead: true, AuthRead: true, NoDA: true}
	if err := nvDefine(inner, realIndex, realSize, attrs); err != nil {
		t.Fatal(err)
	}
	if err := nvWrite(inner, realIndex, bytes.Repeat([]byte{7}, realSize), 1024); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name         string
		size, offset func(dataSize int) int
		password     []byte
		wantRC       tpm2.TPMRC
	}{
		{"size above TPM_PT_NV_BUFFER_MAX", func(int) int { return 1025 }, func(int) int { return 0 }, nil, tpm2.TPMRC(rcNVReadSizeValue)},
		{"read past the end", func(int) int { return 100 }, func(n int) int { return n - 50 }, nil, tpm2.TPMRCNVRange},
		{"offset past the end", func(int) int { return 0 }, func(n int) int { return n + 1 }, nil, tpm2.TPMRC(rcNVReadOffsetVal)},
		{"last byte", func(int) int { return 1 }, func(n int) int { return n - 1 }, nil, 0},
		{"wrong owner password", func(int) int { return 16 }, func(int) int { return 0 }, []byte("wrong"), tpm2.TPMRC(rcBadAuthSession1)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			real := nvReadRC(t, inner, realIndex, tc.size(realSize), tc.offset(realSize), tc.password)
			para := nvReadRC(t, c.Transport(), ReportIndex, tc.size(hcl.NVSize), tc.offset(hcl.NVSize), tc.password)
			if real != tc.wantRC {
				t.Fatalf("the simulator TPM answered 0x%x, the test expects 0x%x", uint32(real), uint32(tc.wantRC))
			}
			if para != real {
				t.Fatalf("paravisor answered 0x%x (%v), the TPM answers 0x%x (%v)", uint32(para), para, uint32(real), real)
			}
		})
	}
}

func TestParavisorReadPublic(t *testing.T) {
	c, _ := provision(t, TEESEVSNP, []byte("readpublic"))
	rp, err := tpm2.NVReadPublic{NVIndex: tpm2.TPMHandle(ReportIndex)}.Execute(c.Transport())
	if err != nil {
		t.Fatal(err)
	}
	pub, err := rp.NVPublic.Contents()
	if err != nil {
		t.Fatal(err)
	}
	if pub.DataSize != hcl.NVSize || pub.NameAlg != tpm2.TPMAlgSHA256 || !pub.Attributes.OwnerRead || !pub.Attributes.AuthRead || pub.Attributes.OwnerWrite {
		t.Fatalf("NV public %+v: want 2600 bytes, SHA-256, owner/auth read, no owner write", pub)
	}
	name, err := tpm2.NVName(pub)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(name.Buffer, rp.NVName.Buffer) {
		t.Fatalf("NV name %x, want nameAlg ‖ SHA-256(TPMS_NV_PUBLIC) = %x", rp.NVName.Buffer, name.Buffer)
	}
	if attrs := binary.BigEndian.Uint32(tpm2.Marshal(pub.Attributes)); attrs != 0x62060004 {
		t.Errorf("attributes 0x%08x, want 0x62060004", attrs)
	}
}

func TestParavisorRefusesWrites(t *testing.T) {
	c, _ := provision(t, TEESEVSNP, []byte("writes"))
	before := c.Report()
	_, err := tpm2.NVWrite{
		AuthHandle: tpm2.AuthHandle{Handle: tpm2.TPMRHOwner, Auth: tpm2.PasswordAuth(nil)},
		NVIndex:    tpm2.NamedHandle{Handle: tpm2.TPMHandle(ReportIndex), Name: tpm2.HandleName(tpm2.TPMHandle(ReportIndex))},
		Data:       tpm2.TPM2BMaxNVBuffer{Buffer: []byte("HCLA")},
	}.Execute(c.Transport())
	if !errors.Is(err, tpm2.TPMRCNVAuthorization) {
		t.Fatalf("NV_Write to the report index: got %v, want TPM_RC_NV_AUTHORIZATION", err)
	}
	if !bytes.Equal(before, c.Report()) {
		t.Fatal("a refused write changed the report")
	}
}

func TestParavisorHMACSessionUnavailable(t *testing.T) {
	c, _ := provision(t, TEESEVSNP, []byte("hmac"))
	_, err := tpm2.NVRead{
		AuthHandle: tpm2.AuthHandle{Handle: tpm2.TPMRHOwner, Auth: tpm2.HMAC(tpm2.TPMAlgSHA256, 16)},
		NVIndex:    tpm2.NamedHandle{Handle: tpm2.TPMHandle(ReportIndex), Name: tpm2.HandleName(tpm2.TPMHandle(ReportIndex))},
		Size:       16,
	}.Execute(c.Transport())
	if !errors.Is(err, tpm2.TPMRCAuthUnavailable) {
		t.Fatalf("NV_Read with an HMAC session: got %v, want TPM_RC_AUTH_UNAVAILABLE", err)
	}
}

// TestParavisorMalformedFrames feeds truncated and inconsistent frames: each gets a TPM
// error response, never a panic or a transport error.
func TestParavisorMalformedFrames(t *testing.T) {
	c, _ := provision(t, TEESEVSNP, []byte("frames"))
	frame := func(tag uint16, size uint32, cc uint32, rest ...byte) []byte {
		b := binary.BigEndian.AppendUint16(nil, tag)
		b = binary.BigEndian.AppendUint32(b, size)
		b = binary.BigEndian.AppendUint32(b, cc)
		return append(b, rest...)
	}
	u32 := func(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }
	handles := append(u32(uint32(tpm2.TPMRHOwner)), u32(ReportIndex)...)
	cases := map[string][]byte{
		"size field lies":       frame(tagSessions, 99, ccNVRead, handles...),
		"no sessions":           frame(tagNoSessions, 22, ccNVRead, append(handles, 0, 16, 0, 0)...),
		"auth area overruns":    frame(tagSessions, 22, ccNVRead, append(handles, 0, 0, 1, 0)...),
		"parameters missing":    frame(tagSessions, 31, ccNVRead, append(append(handles, u32(9)...), append(u32(handlePW), 0, 0, 1, 0, 0)...)...),
		"bad tag on readpublic": frame(0x1234, 14, ccNVReadPublic, u32(ReportIndex)...),
	}
	for name, f := range cases {
		t.Run(name, func(t *testing.T) {
			rsp, err := c.Transport().Send(f)
			if err != nil {
				t.Fatalf("transport error: %v", err)
			}
			if len(rsp) != headerSize || binary.BigEndian.Uint32(rsp[6:]) == 0 {
				t.Fatalf("response % x: want a 10-byte error response", rsp)
			}
			t.Logf("response code 0x%x: %v", binary.BigEndian.Uint32(rsp[6:]), tpm2.TPMRC(binary.BigEndian.Uint32(rsp[6:])))
		})
	}
}
