package eventlog

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/binary"
	"flag"
	"os"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/cvmscope/cvmscope/attestation/check"
)

var writeWindowsLog = flag.String("write-windows-log", "", "also write the generated Windows boot log to this file (to try cvmscope inspect on it)")

// winLog generates a WBCL-like TCG2 crypto-agile log (SHA-1 and SHA-256, as Windows'
// logs carry): firmware separators in PCRs 0-7, then what Windows boot manager and loader
// write, EV_EVENT_TAG events of SIPA records in PCRs 12-14 closed by "WBCL" separators.
// It replays its SHA-256 bank as it goes, so the tests know the PCRs a TPM would hold.
type winLog struct {
	buf  bytes.Buffer
	pcrs map[int][]byte
}

func newWinLog() *winLog {
	w := &winLog{pcrs: map[int][]byte{}}
	var spec bytes.Buffer
	spec.WriteString("Spec ID Event03\x00")
	le(&spec, uint32(0))                  // platform class
	spec.Write([]byte{0, 2, 0, 2})        // spec version 2.0 errata 0, uintn size 2 (64-bit)
	le(&spec, uint32(2))                  // algorithms
	le(&spec, uint16(0x0004), uint16(20)) // SHA-1
	le(&spec, uint16(0x000b), uint16(32)) // SHA-256
	spec.WriteByte(0)                     // vendor info size
	le(&w.buf, uint32(0), uint32(3))      // PCR 0, EV_NO_ACTION
	w.buf.Write(make([]byte, 20))
	le(&w.buf, uint32(spec.Len()))
	w.buf.Write(spec.Bytes())
	return w
}

func le(b *bytes.Buffer, vs ...any) {
	for _, v := range vs {
		binary.Write(b, binary.LittleEndian, v)
	}
}

// add appends a TCG_PCR_EVENT2 measuring data itself, as Windows does for its tagged events.
func (w *winLog) add(pcr int, typ uint32, data []byte) {
	s1, s256 := sha1.Sum(data), sha256.Sum256(data)
	le(&w.buf, uint32(pcr), typ, uint32(2), uint16(0x0004))
	w.buf.Write(s1[:])
	le(&w.buf, uint16(0x000b))
	w.buf.Write(s256[:])
	le(&w.buf, uint32(len(data)))
	w.buf.Write(data)
	old := w.pcrs[pcr]
	if old == nil {
		old = make([]byte, 32)
	}
	v := sha256.Sum256(append(append([]byte(nil), old...), s256[:]...))
	w.pcrs[pcr] = v[:]
}

// rec is one SIPA record: type, size, value.
func rec(typ uint32, v []byte) []byte {
	var b bytes.Buffer
	le(&b, typ, uint32(len(v)))
	b.Write(v)
	return b.Bytes()
}

func recs(rs ...[]byte) []byte { return bytes.Join(rs, nil) }

func u64(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }
func u32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }

func utf16z(s string) []byte {
	var b []byte
	for _, c := range utf16.Encode([]rune(s + "\x00")) {
		b = binary.LittleEndian.AppendUint16(b, c)
	}
	return b
}

// tagged wraps records in TCG_PCClientTaggedEvent with a SIPA container ID.
func tagged(id uint32, data []byte) []byte {
	var b bytes.Buffer
	le(&b, id, uint32(len(data)))
	b.Write(data)
	return b.Bytes()
}

func module(path string, hashByte byte) []byte {
	return rec(0x40010003, recs(
		rec(0x00070001, utf16z(path)),
		rec(0x00070003, u32(0x800c)), // CALG_SHA_256
		rec(0x00070004, bytes.Repeat([]byte{hashByte}, 32)),
		rec(0x00070002, u64(0x1a000)),
		rec(0x0007000A, []byte{1}),
	))
}

type winOpts struct{ kernelDebug bool }

// windowsBootLog is a Windows Server boot as an Azure CVM logs it, boot number 7.
func windowsBootLog(o winOpts) *winLog {
	w := newWinLog()
	for p := 0; p <= 7; p++ {
		w.add(p, 0x4, []byte{0, 0, 0, 0})
	}
	kd := byte(0)
	if o.kernelDebug {
		kd = 1
	}
	w.add(12, 0x6, tagged(0x40010001, recs(
		rec(0x00020002, u64(7)),     // boot counter
		rec(0x00020003, u32(1)),     // transfer control: winload
		rec(0x00040001, []byte{0}),  // boot debugging
		rec(0x00050001, []byte{kd}), // kernel debugging
		rec(0x00050002, []byte{1}),  // code integrity
		rec(0x00050003, []byte{0}),  // test signing
		rec(0x00050004, u64(1)),     // DEP
		rec(0x00050009, utf16z(`\Windows`)),
		module(`\Windows\System32\winload.efi`, 0xa1),
	)))
	w.add(12, 0x4, []byte("WBCL"))
	w.add(13, 0x6, tagged(0x40010001, recs(
		module(`\Windows\System32\drivers\ci.dll`, 0xb2),
		module(`\Windows\System32\ntoskrnl.exe`, 0xc3),
		rec(0x40010002, recs(
			rec(0x00090001, utf16z("WdBoot")),
			rec(0x00090004, []byte{1, 2, 3, 4}),
		)),
		rec(0x00050021, []byte{0}), // flight signing
	)))
	w.add(13, 0x4, []byte("WBCL"))
	w.add(14, 0x6, tagged(0x40010001, rec(0x00060001, []byte{0})))
	w.add(14, 0x4, []byte("WBCL"))
	return w
}

func TestWindowsLogDescribed(t *testing.T) {
	w := windowsBootLog(winOpts{})
	raw := w.buf.Bytes()
	if *writeWindowsLog != "" {
		if err := os.WriteFile(*writeWindowsLog, raw, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	l, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if !IsWindows(l) {
		t.Fatal("IsWindows is false on a log with SIPA events")
	}
	var pcr12, pcr13 described
	for _, e := range events(l) {
		if e.TypeName == "EV_EVENT_TAG" && e.PCR == 12 {
			pcr12 = e
		}
		if e.TypeName == "EV_EVENT_TAG" && e.PCR == 13 {
			pcr13 = e
		}
	}
	for _, want := range []string{"Windows trust boundary (SIPA): boot counter 7", "kernel debugging off", "code integrity on",
		`system root \Windows`, `loaded module [file \Windows\System32\winload.efi; hash algorithm SHA-256; Authenticode hash a1a1`} {
		if !strings.Contains(pcr12.Description, want) {
			t.Errorf("PCR12 tag %q lacks %q", pcr12.Description, want)
		}
	}
	for _, want := range []string{"Windows 신뢰 경계(SIPA): 부팅 카운터 7", "커널 디버깅 꺼짐", "코드 무결성 켜짐", "로드된 모듈 [파일 "} {
		if !strings.Contains(pcr12.DescriptionKO, want) {
			t.Errorf("PCR12 tag in Korean %q lacks %q", pcr12.DescriptionKO, want)
		}
	}
	for _, want := range []string{`ntoskrnl.exe`, "ELAM driver [ELAM key name WdBoot; ELAM measured 01020304]", "flight signing off"} {
		if !strings.Contains(pcr13.Description, want) {
			t.Errorf("PCR13 tag %q lacks %q", pcr13.Description, want)
		}
	}
	// The log replays, in SHA-256, to what the generator extended, PCRs 12-14 included.
	got := l.Replay()
	for p, v := range w.pcrs {
		if !bytes.Equal(got[p], v) {
			t.Errorf("PCR%d replays to %x, want %x", p, got[p], v)
		}
	}
	for _, c := range CompareQuoted(l, w.pcrs, []int{0, 1, 2, 3, 4, 5, 6, 7, 11, 12, 13, 14}) {
		if c.Verdict != check.Pass && c.Verdict != check.Skip {
			t.Errorf("replay: %v", c)
		}
	}
}

func TestWindowsCheck(t *testing.T) {
	w := windowsBootLog(winOpts{})
	raw := w.buf.Bytes()
	l, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	win, err := ParseWindows(raw)
	if err != nil {
		t.Fatal(err)
	}
	if want := "boot 7 cold=true bootdebug=false kerneldebug=false testsigning=false ci=on dep=on modules=3 elam=1"; win.String() != want {
		t.Errorf("ParseWindows: %s, want %s", win, want)
	}
	c, ok := WindowsCheck(l, raw, CompareQuoted(l, w.pcrs, nil))
	if !ok || c.Verdict != check.Pass || !strings.Contains(c.Summary, "Windows boot #7 (cold boot)") {
		t.Fatalf("WindowsCheck: %v (ok %v)", c, ok)
	}
	if !strings.Contains(c.SummaryKO, "Windows 부팅 #7(콜드 부팅)") || strings.Contains(c.SummaryKO, "%!") {
		t.Errorf("Korean summary %q", c.SummaryKO)
	}
	details := strings.Join(c.Details, "\n")
	for _, want := range []string{"vouched for: PCRs 12 and 13", `loaded \Windows\System32\ntoskrnl.exe`, "ELAM WdBoot"} {
		if !strings.Contains(details, want) {
			t.Errorf("details lack %q:\n%s", want, details)
		}
	}

	// A PCR 13 that does not match its replay leaves the records unvouched.
	tampered := map[int][]byte{}
	for p, v := range w.pcrs {
		tampered[p] = v
	}
	tampered[13] = make([]byte, 32)
	c, _ = WindowsCheck(l, raw, CompareQuoted(l, tampered, nil))
	if d := strings.Join(c.Details, "\n"); !strings.Contains(d, "not vouched for: PCR13 (replay differs)") {
		t.Errorf("tampered PCR13: details\n%s", d)
	}

	// Kernel debugging on is a warning, in both languages.
	w = windowsBootLog(winOpts{kernelDebug: true})
	raw = w.buf.Bytes()
	l, err = Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	c, _ = WindowsCheck(l, raw, CompareQuoted(l, w.pcrs, nil))
	if c.Verdict != check.Warn || !strings.Contains(c.Summary, "kernel debugging is on") || !strings.Contains(c.SummaryKO, "커널 디버깅이 켜져 있습니다") {
		t.Errorf("kernel debugging: %v / %s", c, c.SummaryKO)
	}
}

func TestWindowsCheckOnOtherLogs(t *testing.T) {
	for _, r := range realLogs {
		raw := readReal(t, r.file)
		l, err := Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		if c, ok := WindowsCheck(l, raw, nil); ok {
			t.Errorf("%s (a Linux log): %v", r.file, c)
		}
	}
}

// Records that do not frame (a size beyond the tag) are shown as hex, never misread, and
// go-attestation's refusal is reported as a warning naming it.
func TestWindowsDamagedSIPA(t *testing.T) {
	w := newWinLog()
	bad := tagged(0x40010001, rec(0x00020002, u64(7)))
	binary.LittleEndian.PutUint32(bad[12:], 200) // the record claims 200 bytes
	w.add(12, 0x6, bad)
	w.add(12, 0x4, []byte("WBCL"))
	raw := w.buf.Bytes()
	l, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events(l) {
		if e.PCR == 12 && e.TypeName == "EV_EVENT_TAG" {
			if strings.Contains(e.Description, "SIPA") || !strings.Contains(e.Description, "tag 0x40010001") {
				t.Errorf("damaged records described as %q", e.Description)
			}
		}
	}
	c, ok := WindowsCheck(l, raw, nil)
	if !ok || c.Verdict != check.Warn || !strings.Contains(c.Summary, "go-attestation cannot read them") {
		t.Errorf("damaged: %v", c)
	}
}
