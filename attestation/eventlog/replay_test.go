package eventlog

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/check"
)

// azurePCRs reads the PCR values quoted on the boot that produced the Azure SNP log.
func azurePCRs(t *testing.T) map[int][]byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(readReal(t, "azsnp-eventlog-cvmmeasure-ncc40ads.pcrs.json"), &doc); err != nil {
		t.Fatal(err)
	}
	pcrs := map[int][]byte{}
	for k, v := range doc {
		n, err := strconv.Atoi(strings.TrimPrefix(k, "pcr"))
		if !strings.HasPrefix(k, "pcr") || err != nil {
			continue
		}
		b, err := hex.DecodeString(v.(string))
		if err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		pcrs[n] = b
	}
	if len(pcrs) != 11 {
		t.Fatalf("read %d PCRs from the .pcrs.json, want 11 (0-9, 11)", len(pcrs))
	}
	return pcrs
}

func TestAzureReplayMatchesQuotedPCRs(t *testing.T) {
	l, err := Parse(readReal(t, "azsnp-eventlog-cvmmeasure-ncc40ads.bin"))
	if err != nil {
		t.Fatal(err)
	}
	quoted := azurePCRs(t)
	replayed := l.Replay()
	for _, p := range []int{0, 1, 2, 3, 4, 5, 6, 7, 9, 11} {
		if !bytes.Equal(replayed[p], quoted[p]) {
			t.Errorf("PCR%d replays to %x, quoted %x", p, replayed[p], quoted[p])
		}
	}
	checks := Compare(l, quoted)
	want := map[string]check.Verdict{
		"PCR0": check.Pass, "PCR1": check.Pass, "PCR2": check.Pass, "PCR3": check.Pass, "PCR4": check.Pass,
		"PCR5": check.Pass, "PCR6": check.Pass, "PCR7": check.Pass, "PCR9": check.Pass, "PCR11": check.Pass,
		// PCR8 was extended from user space after the log closed: not checkable, not a failure.
		"PCR8": check.Warn,
	}
	if len(checks) != len(want) {
		t.Errorf("%d checks, want %d: %v", len(checks), len(want), checks)
	}
	for _, c := range checks {
		if c.ID != CheckReplay || c.Verdict != want[c.Subject] {
			t.Errorf("%v, want %s", c, want[c.Subject])
		}
	}
	if !checks.OK() {
		t.Error("the list does not pass")
	}
	if got := ReplaySummary(checks); got != "10 of 10 compared PCRs match the event log replay; not compared: PCR8" {
		t.Errorf("summary %q", got)
	}
}

func TestModifiedPCRFailsThatPCROnly(t *testing.T) {
	l, err := Parse(readReal(t, "azsnp-eventlog-cvmmeasure-ncc40ads.bin"))
	if err != nil {
		t.Fatal(err)
	}
	quoted := azurePCRs(t)
	quoted[4] = append([]byte(nil), quoted[4]...)
	quoted[4][31] ^= 1
	checks := Compare(l, quoted)
	for _, c := range checks {
		if (c.Verdict == check.Fail) != (c.Subject == "PCR4") {
			t.Errorf("%v", c)
		}
	}
	c := checks.Find(CheckReplay)[4]
	details := strings.Join(c.Details, "\n")
	for _, w := range []string{"PCR4", "03e74ac8…21b21f70", "4 measured events", "last #34 EV_EFI_BOOT_SERVICES_APPLICATION"} {
		if !strings.Contains(c.Summary, w) {
			t.Errorf("summary %q lacks %q", c.Summary, w)
		}
	}
	for _, w := range []string{hex.EncodeToString(quoted[4]), "03e74ac8fa511490ba4ff0ec69c772da29b17a43aa0a0589bc852a9b21b21f70"} {
		if !strings.Contains(details, w) {
			t.Errorf("details lack %s:\n%s", w, details)
		}
	}
	if got := ReplaySummary(checks); !strings.HasPrefix(got, "9 of 10 compared PCRs match the event log replay; mismatch: PCR4") {
		t.Errorf("summary %q", got)
	}
}

func TestCompareOneSidedPCRs(t *testing.T) {
	l, err := Parse(readReal(t, "azsnp-eventlog-cvmmeasure-ncc40ads.bin"))
	if err != nil {
		t.Fatal(err)
	}
	ones := bytes.Repeat([]byte{0xff}, 32)
	pcrs := map[int][]byte{
		12: make([]byte, 32),            // no events, zero
		17: ones,                        // DRTM PCR at its reset value
		13: bytes.Repeat([]byte{1}, 32), // no events yet not zero
	}
	got := map[string]check.Check{}
	for _, c := range Compare(l, pcrs) {
		got[c.Subject] = c
	}
	expect := func(subject string, v check.Verdict, text string) {
		t.Helper()
		c := got[subject]
		if c.Verdict != v || !strings.Contains(c.Summary, text) {
			t.Errorf("%s: %v, want %s containing %q", subject, c, v, text)
		}
	}
	expect("PCR12", check.Pass, "no events, PCR is zero")
	expect("PCR17", check.Pass, "no events, PCR is all ones")
	expect("PCR13", check.Warn, "log has no events for it")
	expect("PCR4", check.Skip, "the PCR set has no value for it")
	if len(got) != 13 {
		t.Errorf("%d checks, want 13 (10 PCRs in the log + 3 quoted)", len(got))
	}
	if c := Compare(nil, pcrs); len(c) != 1 || c[0].Verdict != check.Skip {
		t.Errorf("nil log: %v", c)
	}
	short := map[int][]byte{0: {1, 2, 3}}
	if c := Compare(l, short); c[0].Verdict != check.Fail || !strings.Contains(c[0].Summary, "3 bytes") {
		t.Errorf("short PCR value: %v", c[0])
	}
}

// Published SHA-256 PCR values for the GCE and Arch logs, from go-tpm-tools
// server/eventlog_test.go (Ubuntu2404AmdSevSnp, ArchLinuxWorkstation).
func TestReplayMatchesPublishedPCRs(t *testing.T) {
	tests := []struct {
		file string
		pcrs map[int]string
	}{
		{"gce-sevsnp-ubuntu2404-eventlog.bin", map[int]string{
			0:  "50597a27846e91d025eef597abbc89f72bff9af849094db97b0684d8bc4c515e",
			1:  "57344e1cc8c6619413df33013a7cd67915459f967395af41db21c1fa7ca9c307",
			2:  "3d458cfe55cc03ea1f443f1562beec8df51c75e14a9fcf9a7234a13f198e7969",
			4:  "abe8b3fa6aecb36c2fd93c6f6edde661c21b353d007410a2739d69bfa7e1b9be",
			5:  "0b0e1903aeb1bff649b82dba2cdcf5c4ffb75027e54f151ab00b3b989f16a300",
			7:  "33ad69850fb2c7f30b4f8b4bc10ed93fc954dc07fa726e84f50f3d192dc1c140",
			8:  "6932a3f71dc55ad3c1a6ac2196eeac26a1b7164b6bbfa106625d94088ec3ecc3",
			9:  "ce08798b283c7a0ddc5e9ad1d602304b945b741fc60c20e254eafa0f4782512b",
			14: "306f9d8b94f17d93dc6e7cf8f5c79d652eb4c6c4d13de2dddc24af416e13ecaf",
		}},
		{"baremetal-archlinux-eventlog.bin", map[int]string{
			0: "758b773d94feabf52ef5a4c00a7ad2c80d8d6e6d9d58756150be9bc973da9087",
			1: "bfda688a5d320123fddb3fc70b746bc17647e2e7f2f96e130d429542bf4622d5",
			2: "65dee4a48cde677aa89fa83c5c35e883fda658f743853e3ebad504ca6702f7c5",
			4: "925d453d3dfef4ac0c72c957402163d45fa95d05e6d53f047263a3a60b598325",
			5: "202522f005ef625588bb7c9e21335ba96a63c5086306138885b3bb2c381730ca",
			7: "3b4a4db44b7a872524055364e62e897ae678e0d47ab0809f65c3a4ed77f66ab9",
		}},
	}
	for _, tc := range tests {
		l, err := Parse(readReal(t, tc.file))
		if err != nil {
			t.Fatal(err)
		}
		pcrs := map[int][]byte{}
		for p, h := range tc.pcrs {
			pcrs[p], _ = hex.DecodeString(h)
		}
		for _, c := range Compare(l, pcrs) {
			if _, quoted := pcrs[pcrNumber(c.Subject)]; quoted && c.Verdict != check.Pass {
				t.Errorf("%s: %v", tc.file, c)
			}
		}
	}
}

func pcrNumber(subject string) int {
	n, _ := strconv.Atoi(strings.TrimPrefix(subject, "PCR"))
	return n
}

// A StartupLocality event makes PCR0 start at the locality. The only published log with
// both such an event and its PCR values is go-tpm-tools' glinux-alex.bin
// (GlinuxNoSecureBootLaptop in server/eventlog_test.go); it is read from the module cache.
func TestReplayHonoursStartupLocality(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/google/go-tpm-tools").Output()
	dir := strings.TrimSpace(string(out))
	if err != nil || dir == "" {
		t.Skipf("go-tpm-tools module source not available (%v); it holds the reference log", err)
	}
	raw := readFileOrSkip(t, filepath.Join(dir, "internal", "test", "eventlogs", "glinux-alex.bin"))
	l, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	var locality *Event
	for _, e := range events(l) {
		if strings.HasPrefix(e.Description, "StartupLocality") {
			locality = &e.Event
		}
	}
	if locality == nil || locality.Data[16] == 0 {
		t.Fatalf("glinux-alex.bin has no non-zero StartupLocality event")
	}
	want := map[int]string{
		0: "0e5ea849d7647a1ac1becc096fee4df98f00f8015f934afadaab0b8aa20b38a5",
		1: "9750400838980c9419764b9cf19c975c0e159c18ebe21cb897c6e834a8d8d433",
		4: "ddb124ca9013f1e42f98537f7f381e47c5e6caa988cf2b4088f452c5a8dd912d",
		7: "9d1be46302bc4f5055c90a0376d9142e397ca8744f387c9824170f1bc855fde5",
	}
	got := l.Replay()
	for p, h := range want {
		if hex.EncodeToString(got[p]) != h {
			t.Errorf("PCR%d replays to %x, published %s", p, got[p], h)
		}
	}
}

// "quoted" is said only of PCRs the quote covers; the others were read from the TPM.
func TestCompareQuotedNamesWhereEachValueCameFrom(t *testing.T) {
	l, err := Parse(readReal(t, "azsnp-eventlog-cvmmeasure-ncc40ads.bin"))
	if err != nil {
		t.Fatal(err)
	}
	pcrs := azurePCRs(t)
	checks := CompareQuoted(l, pcrs, []int{0, 1, 2, 3})
	fromTPM := 0
	for _, c := range checks {
		var p int
		fmt.Sscanf(c.Subject, "PCR%d", &p)
		if p <= 3 && c.Verdict == check.Pass && !strings.Contains(c.Summary, "quoted PCR") {
			t.Errorf("%s is in the quote: %q", c.Subject, c.Summary)
		}
		if p > 3 && strings.Contains(c.Summary, "quoted") {
			t.Errorf("%s is not in the quote: %q", c.Subject, c.Summary)
		}
		if p > 3 && strings.Contains(c.Summary, "read from the TPM (not in the quote)") {
			fromTPM++
		}
	}
	if fromTPM < 4 {
		t.Errorf("%d replays name the PCR read from the TPM, want PCR4-7 at least: %v", fromTPM, checks)
	}
	if got, want := Compare(l, pcrs), CompareQuoted(l, pcrs, nil); len(got) != len(want) || got[0].Summary != want[0].Summary {
		t.Error("Compare is not CompareQuoted with every value quoted")
	}
}

// Event counts agree with the replay: measured events are what it extends, EV_NO_ACTION
// events are counted apart.
func TestCountsSplitNoAction(t *testing.T) {
	l, err := Parse(readReal(t, "azsnp-eventlog-cvmmeasure-ncc40ads.bin"))
	if err != nil {
		t.Fatal(err)
	}
	measured, noAction := l.Counts(-1)
	if measured+noAction != len(events(l)) || noAction == 0 {
		t.Fatalf("counts %d + %d of %d events", measured, noAction, len(events(l)))
	}
	replayed := 0
	for _, r := range l.replay() {
		replayed += r.events
	}
	if replayed != measured {
		t.Errorf("replay extends %d events, Counts says %d measured", replayed, measured)
	}
	m0, n0 := l.Counts(0)
	en, ko := CountText(m0, n0)
	if n0 == 0 || !strings.Contains(en, fmt.Sprintf("%d measured event", m0)) || !strings.Contains(en, "EV_NO_ACTION not extended") || !strings.Contains(ko, "EV_NO_ACTION") {
		t.Errorf("PCR0: %d measured, %d EV_NO_ACTION: %q / %q", m0, n0, en, ko)
	}
	for _, c := range CompareQuoted(l, azurePCRs(t), nil).Find(CheckReplay) {
		if c.Subject == "PCR0" && !strings.Contains(c.Summary, fmt.Sprintf("replay of %d measured event", m0)) {
			t.Errorf("PCR0 replay %q disagrees with %d measured events", c.Summary, m0)
		}
	}
}
