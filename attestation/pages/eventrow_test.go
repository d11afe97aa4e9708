package pages

import (
	"encoding/hex"
	"fmt"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/eventlog"
)

// TestEventRowText: an event's row reads as the Sprintf patterns it replaced, for event
// types with leading zeros and high bits, with and without a digest and a long data preview.
func TestEventRowText(t *testing.T) {
	for _, e := range []eventlog.Event{
		{Index: 0, Offset: 0, PCR: 0, Type: 0x3, TypeName: "EV_NO_ACTION", Data: []byte("Spec ID Event03")},
		{Index: 12, Offset: 4711, PCR: 7, Type: 0x800000e0, TypeName: "EV_EFI_VARIABLE_AUTHORITY", Digest: make([]byte, 32), Data: make([]byte, 100)},
		{Index: 99999, Offset: 13978000, PCR: 14, Type: 0xffffffff, TypeName: "EV_UNKNOWN(0xffffffff)", Digest: []byte{1, 2}},
	} {
		digest, digestKO := "none", "없음"
		if e.Digest != nil {
			digest = hex.EncodeToString(e.Digest)
			digestKO = digest
		}
		l := &eventlog.Log{}
		r := eventRow(l, e)
		if en, ko := l.Describe(e); r.Value != en || r.ValueKO != ko || en == "" {
			t.Errorf("value %q / %q, want the description %q / %q", r.Value, r.ValueKO, en, ko)
		}
		if want := fmt.Sprintf("#%d PCR%d %s", e.Index, e.PCR, e.TypeName); r.Key != want {
			t.Errorf("key %q, want %q", r.Key, want)
		}
		if want := fmt.Sprintf("offset %d, type 0x%08x\nsha256 digest %s\ndata (%d bytes) %s", e.Offset, e.Type, digest, len(e.Data), dataPreview(e.Data)); r.Detail != want {
			t.Errorf("detail %q, want %q", r.Detail, want)
		}
		if want := fmt.Sprintf("오프셋 %d, 유형 0x%08x\nsha256 다이제스트 %s\n데이터 (%d바이트) %s", e.Offset, e.Type, digestKO, len(e.Data), dataPreview(e.Data)); r.DetailKO != want {
			t.Errorf("Korean detail %q, want %q", r.DetailKO, want)
		}
	}
}
