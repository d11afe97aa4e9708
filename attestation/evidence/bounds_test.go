package evidence

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// allocs returns the bytes f allocates.
func allocs(f func()) uint64 {
	var a, b runtime.MemStats
	runtime.ReadMemStats(&a)
	f()
	runtime.ReadMemStats(&b)
	return b.TotalAlloc - a.TotalAlloc
}

// deep is a bundle whose evidence nests n arrays: encoding/json refuses depth past 10000,
// and the refusal must cost memory linear in the input, not more.
func deep(n int) []byte {
	return []byte(`{"format":"cvmscope-evidence","version":1,"evidence":{"hclReport":` + strings.Repeat("[", n) + strings.Repeat("]", n) + `}}`)
}

func TestDeepBundleIsRefusedInLinearMemory(t *testing.T) {
	for _, n := range []int{100_000, 1_000_000} {
		data := deep(n)
		var kind Kind
		var err error
		got := allocs(func() {
			kind = Detect(data)
			_, err = ParseBundle(data)
		})
		if kind != KindBundle {
			t.Errorf("%d nested arrays: detected as %s, want a (damaged) bundle", n, kind)
		}
		if err == nil || !strings.Contains(err.Error(), "offset") {
			t.Errorf("%d nested arrays: %v, want an error naming the offset", n, err)
		}
		// encoding/json stops at depth 10000, so the cost does not grow with the input.
		if limit := uint64(2 << 20); got > limit {
			t.Errorf("%d nested arrays (%d bytes) allocated %d bytes, over %d", n, len(data), got, limit)
		}
		t.Logf("%d nested arrays, %d bytes: %d bytes allocated, error %.80v", n, len(data), got, err)
	}
}

func TestSetAddDeepJSONOfEveryKind(t *testing.T) {
	open := strings.Repeat("[", 200_000)
	for kind, doc := range map[Kind]string{
		KindBundle:        `{"format":"cvmscope-evidence","version":1,"x":` + open,
		KindRuntimeClaims: `{"keys":[{"kid":"HCLAkPub"}],"vm-configuration":` + open,
		KindJWKS:          `{"keys":` + open,
		KindTCBInfo:       `{"tcbInfo":` + open,
		KindPCRs:          `{"pcrs":` + open,
	} {
		var s Set
		var err error
		got := allocs(func() { err = s.Add("deep.json", []byte(doc)) })
		if err != nil || len(s.Files) != 1 || s.Files[0].Kind != kind || s.Files[0].Err == "" {
			t.Errorf("%s: Add = %v, files %+v; want one damaged %s", kind, err, s.Files, kind)
		}
		if limit := uint64(2 << 20); got > limit {
			t.Errorf("%s: %d bytes allocated for %d bytes of input, over %d", kind, got, len(doc), limit)
		}
	}
}

// FuzzDetectAdd feeds any bytes to content detection and to Set.Add, as inspect does with
// every file: no panic, a file Add accepts is recorded as the kind Detect names (or merged
// as a bundle), a damaged one keeps its data out of the set, and the work stays bounded.
func FuzzDetectAdd(f *testing.F) {
	if dir, err := filepath.Abs(filepath.Join("..", "..", "..", "shared", "testdata", "real")); err == nil {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil || len(b) > 64<<10 || strings.HasSuffix(e.Name(), ".md") {
				continue
			}
			f.Add(b)
			// Damaged seeds: cut in half, and the first bytes alone.
			f.Add(b[:len(b)/2])
			f.Add(b[:min(len(b), 40)])
		}
	}
	f.Add([]byte(`{"format":"cvmscope-evidence","version":1,"evidence":{"hclReport":"SENMQQ=="}}`))
	f.Add([]byte(`{"vcekCert":"-----BEGIN CERTIFICATE-----\n","certificateChain":""}`))
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nMIIB\n"))
	f.Add([]byte("eyJhbGciOiJSUzI1NiJ9.e30."))
	f.Add([]byte{0xff, 'T', 'C', 'G', 0x80, 0x18, 0xff, 0xff})
	f.Add([]byte{0x30, 0x82, 0xff, 0xff, 0x30, 0x82, 0x00, 0x10, 0xa0})
	// Other tools' formats: trustee JSON, TPMT_SIGNATURE, a tpm2-tools PCR file header.
	f.Add([]byte(`{"version":1,"tpm_quote":{"signature":"00","message":"ff544347","pcrs":["00"]},"hcl_report":"SENMQQ","vcek":"MII"}`))
	f.Add([]byte(`{"quote":{"signature":[1],"message":[255,84,67,71]},"report":[72,67,76,65],"vcek":"-----BEGIN CERTIFICATE-----"}`))
	f.Add(append([]byte{0, 0x14, 0, 0x0b, 0, 4}, 1, 2, 3, 4))
	f.Add(append([]byte{1, 0, 0, 0, 0x0b, 0, 3, 0xff}, make([]byte, 128)...))
	f.Fuzz(func(t *testing.T, data []byte) {
		kind := Detect(data)
		if kind == "" {
			t.Fatal("Detect returned an empty kind")
		}
		var s Set
		var err error
		got := allocs(func() { err = s.Add("fuzz.bin", data) })
		// Parsers copy and decode what they are given; nothing should cost more than a
		// small multiple of the input (the cap is MaxFileSize anyway).
		if limit := uint64(64*len(data) + 8<<20); got > limit {
			t.Errorf("Add of %d bytes allocated %d, over %d", len(data), got, limit)
		}
		if kind == KindUnknown {
			// Kept for its failing input.unknown check, with nothing taken into the set.
			if err != nil || len(s.Files) != 1 || s.Files[0].Err == "" || s.Quote != nil || len(s.PCRs) != 0 {
				t.Fatalf("an unrecognised file was taken: err %v, files %+v", err, s.Files)
			}
			return
		}
		if err != nil {
			return // a conflict inside a bundle; the message names the file
		}
		fi := s.Supplied()
		if len(fi) == 0 || fi[0].Kind != kind || fi[0].Path != "fuzz.bin" {
			t.Fatalf("Add recorded %+v for a %s", s.Files, kind)
		}
		if fi[0].Err != "" && kind != KindJWT && kind != KindBundle {
			if len(s.HCLReport)+len(s.SNPReport)+len(s.TDReport)+len(s.TDQuote)+len(s.EventLog)+len(s.AKPub)+len(s.JWKS)+len(s.RuntimeClaims)+len(s.Certs)+len(s.PCRs) != 0 || s.Quote != nil && len(s.Quote.Msg) > 0 {
				t.Fatalf("a damaged %s left data in the set: %s", kind, fi[0].Err)
			}
		}
	})
}
