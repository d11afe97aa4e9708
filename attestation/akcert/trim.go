package akcert

import (
	"fmt"

	"github.com/cvmscope/cvmscope/attestation/fault"
)

// koErr is an error in English with its Korean beside it, both formatted from the same
// arguments, for fault.MessageIn.
func koErr(en, ko string, a ...any) error {
	return fault.Korean(fmt.Errorf(en, a...), fmt.Sprintf(ko, a...), "")
}

// Trim returns the DER certificate at the start of b, dropping the zero padding an NV
// index adds after it. It reads the length from the outer ASN.1 SEQUENCE header rather
// than stripping trailing zeros, because a DER encoding may itself end in zero bytes.
func Trim(b []byte) ([]byte, error) {
	if len(b) < 2 {
		return nil, koErr("AK certificate is %d bytes; too short for a DER header", "AK 인증서가 %d바이트로, DER 헤더를 담기에 너무 짧습니다", len(b))
	}
	if b[0] != 0x30 {
		if allZero(b) {
			return nil, koErr("AK certificate area (%d bytes) is all zeros: nothing written yet", "AK 인증서 영역(%d바이트)이 모두 0입니다. 아직 아무것도 기록되지 않았습니다", len(b))
		}
		return nil, koErr("byte 0 is 0x%02x, want 0x30 (DER SEQUENCE): not a DER certificate", "바이트 0이 0x%02x이지만 0x30(DER SEQUENCE)이어야 합니다. DER 인증서가 아닙니다", b[0])
	}
	hdr, n := 2, int(b[1])
	if b[1]&0x80 != 0 {
		k := int(b[1] & 0x7f)
		if k == 0 || k > 4 {
			return nil, koErr("byte 1 is 0x%02x: DER length uses %d bytes, want 1 to 4", "바이트 1이 0x%02x입니다. DER 길이가 %d바이트를 쓰지만 1~4바이트여야 합니다", b[1], k)
		}
		if len(b) < 2+k {
			return nil, koErr("DER length needs bytes 2..%d but there are only %d bytes", "DER 길이에 바이트 2..%d가 필요하지만 %d바이트뿐입니다", 1+k, len(b))
		}
		n = 0
		for _, c := range b[2 : 2+k] {
			n = n<<8 | int(c)
		}
		hdr += k
	}
	if hdr+n > len(b) {
		return nil, koErr("DER header says %d bytes but only %d are present: truncated certificate", "DER 헤더는 %d바이트라고 하지만 %d바이트뿐입니다. 인증서가 잘렸습니다", hdr+n, len(b))
	}
	return b[:hdr+n], nil
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
