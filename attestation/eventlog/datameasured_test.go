package eventlog

import (
	"bytes"
	"crypto/sha256"
	"strings"
	"testing"
)

// Every EFI variable event of the published logs is data its SHA-256 digest covers (EDK2's
// Boot#### variables through the variable's data only), so DataMeasured refuses none of them.
func TestDataMeasuredRealLogs(t *testing.T) {
	for _, rl := range realLogs {
		l, err := Parse(readReal(t, rl.file))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for e := range l.Events() {
			if !strings.HasPrefix(e.TypeName, "EV_EFI_VARIABLE") || e.Digest == nil {
				continue
			}
			n++
			if !e.DataMeasured() {
				t.Errorf("%s #%d %s: its data is not what its digest covers", rl.file, e.Index, e.TypeName)
			}
		}
		if n == 0 && l.HasBank("sha256") {
			t.Logf("%s: no EFI variable events", rl.file)
		}
	}
}

// setSecureBoot sets the Azure log's SecureBoot variable (event 3, its data's last byte) to
// 1; with digest, the event's SHA-256 digest is made the hash of the new data, as firmware
// that measured Secure Boot on would have written it.
func setSecureBoot(t *testing.T, digest bool) []byte {
	t.Helper()
	raw := readReal(t, "azsnp-eventlog-cvmmeasure-ncc40ads.bin")
	l, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	sb := events(l)[3].Event
	mod := bytes.Clone(raw)
	dataAt := sb.Offset + eventDataOffset(t, raw, sb)
	mod[dataAt+len(sb.Data)-1] = 1
	if digest {
		at := sb.Offset + bytes.Index(raw[sb.Offset:], sb.Digest)
		sum := sha256.Sum256(mod[dataAt : dataAt+len(sb.Data)])
		copy(mod[at:], sum[:])
	}
	return mod
}

// A log is unsigned and its replay checks only digests: data its digest does not cover could
// say anything. The SecureBoot variable rewritten from 0 to 1, its digest left as measured,
// replays as before; it said Secure Boot was on, and policy check's "events" claim carried it
// to a policy that permitted a VM booted with Secure Boot off.
func TestSecureBootNeedsDataItsDigestCovers(t *testing.T) {
	l, err := Parse(setSecureBoot(t, false))
	if err != nil {
		t.Fatal(err)
	}
	if e := events(l)[3].Event; e.DataMeasured() {
		t.Error("DataMeasured: the rewritten variable's data passes for its digest's")
	}
	if on, known := l.SecureBootEnabled(); on || known {
		t.Errorf("SecureBootEnabled = %v, %v from a variable its digest does not cover; want unknown", on, known)
	}
	if d := events(l)[3]; !strings.Contains(d.Description, "unvouched") || !strings.Contains(d.DescriptionKO, "보증되지 않음") {
		t.Errorf("the event table shows the rewritten variable as %q / %q, without saying its digest does not cover it", d.Description, d.DescriptionKO)
	}
	if l, err = Parse(setSecureBoot(t, true)); err != nil {
		t.Fatal(err)
	}
	if on, known := l.SecureBootEnabled(); !on || !known {
		t.Errorf("SecureBootEnabled = %v, %v with the digest of SecureBoot = 1; want on", on, known)
	}
}
