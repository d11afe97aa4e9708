package akcert

import "fmt"

// Trim returns the DER certificate at the start of b, dropping the zero padding an NV
// index adds after it. It reads the length from the outer ASN.1 SEQUENCE header rather
// than stripping trailing zeros, because a DER encoding may itself end in zero bytes.
func Trim(b []byte) ([]byte, error) {
	if len(b) < 2 {
		return nil, fmt.Errorf("AK certificate is %d bytes; too short for a DER header", len(b))
	}
	if b[0] != 0x30 {
		if allZero(b) {
			return nil, fmt.Errorf("AK certificate area (%d bytes) is all zeros: nothing written yet", len(b))
		}
		return nil, fmt.Errorf("byte 0 is 0x%02x, want 0x30 (DER SEQUENCE): not a DER certificate", b[0])
	}
	hdr, n := 2, int(b[1])
	if b[1]&0x80 != 0 {
		k := int(b[1] & 0x7f)
		if k == 0 || k > 4 {
			return nil, fmt.Errorf("byte 1 is 0x%02x: DER length uses %d bytes, want 1 to 4", b[1], k)
		}
		if len(b) < 2+k {
			return nil, fmt.Errorf("DER length needs bytes 2..%d but there are only %d bytes", 1+k, len(b))
		}
		n = 0
		for _, c := range b[2 : 2+k] {
			n = n<<8 | int(c)
		}
		hdr += k
	}
	if hdr+n > len(b) {
		return nil, fmt.Errorf("DER header says %d bytes but only %d are present: truncated certificate", hdr+n, len(b))
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
