package eventlog

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"os/exec"
	"regexp"
	"strconv"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/realdata"
)

// tpm2Eventlog runs tpm2-tools' tpm2_eventlog on a log file and returns the PCR values it
// prints per bank: the reference every bank's replay is held to.
func tpm2Eventlog(t *testing.T, path string) map[string]map[int]string {
	t.Helper()
	bin, err := exec.LookPath("tpm2_eventlog")
	if err != nil {
		t.Skip("tpm2_eventlog (tpm2-tools) not installed; .ci/run installs it")
	}
	out, err := exec.Command(bin, path).Output()
	if err != nil {
		t.Fatalf("tpm2_eventlog %s: %v", path, err)
	}
	banks := map[string]map[int]string{}
	bankRE := regexp.MustCompile(`^  (sha\d+):$`)
	pcrRE := regexp.MustCompile(`^    (\d+)\s*: 0x([0-9A-Fa-f]+)$`)
	in, cur := false, ""
	for sc := bufio.NewScanner(bytes.NewReader(out)); sc.Scan(); {
		line := sc.Text()
		switch {
		case line == "pcrs:":
			in = true
		case in && bankRE.MatchString(line):
			cur = bankRE.FindStringSubmatch(line)[1]
			banks[cur] = map[int]string{}
		case in && cur != "" && pcrRE.MatchString(line):
			m := pcrRE.FindStringSubmatch(line)
			i, _ := strconv.Atoi(m[1])
			banks[cur][i] = m[2]
		}
	}
	if len(banks) == 0 {
		t.Fatalf("tpm2_eventlog printed no PCR values:\n%s", out)
	}
	return banks
}

func TestReplayBanksMatchesTpm2Eventlog(t *testing.T) {
	// aztdx-eventlog-ita.bin is left out: tpm2_eventlog 5.4 prints a PCR0 for it that is the
	// replay from neither start value (its StartupLocality is 3), while every other PCR agrees.
	for _, name := range []string{"azsnp-eventlog-cvmmeasure-ncc40ads.bin", "gce-sevsnp-ubuntu2404-eventlog.bin", "baremetal-archlinux-eventlog.bin"} {
		t.Run(name, func(t *testing.T) {
			path := realdata.Dir(t) + "/" + name
			raw := realdata.Read(t, name)
			want := tpm2Eventlog(t, path)
			got, err := ReplayBanks(raw)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) {
				t.Errorf("%d banks, tpm2_eventlog prints %d", len(got), len(want))
			}
			for _, b := range got {
				w := want[b.Name]
				if len(b.Values) != len(w) {
					t.Errorf("%s: %d PCRs, tpm2_eventlog prints %d", b.Name, len(b.Values), len(w))
				}
				for i, v := range b.Values {
					if hex.EncodeToString(v) != w[i] {
						t.Errorf("%s PCR%d = %x, tpm2_eventlog %s", b.Name, i, v, w[i])
					}
				}
			}
			// The SHA-256 bank agrees with the replay the checks use.
			l, err := Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			for _, b := range got {
				if b.Name != "sha256" {
					continue
				}
				for i, v := range l.Replay() {
					if !bytes.Equal(b.Values[i], v) {
						t.Errorf("sha256 PCR%d: ReplayBanks %x, Replay %x", i, b.Values[i], v)
					}
				}
			}
		})
	}
}

func TestReplayBanksRefusesGarbage(t *testing.T) {
	if _, err := ReplayBanks([]byte("not a log")); err == nil {
		t.Error("garbage replayed")
	}
}

func FuzzReplayBanks(f *testing.F) {
	for _, rl := range realLogs {
		raw := readReal(f, rl.file)
		f.Add(raw[:min(len(raw), 600)])
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		banks, err := ReplayBanks(raw)
		if err != nil {
			return
		}
		for _, b := range banks {
			for i, v := range b.Values {
				if len(v) == 0 || b.Missing[i] > 0 {
					t.Fatalf("%s PCR%d: value %x with %d events missing a digest", b.Name, i, v, b.Missing[i])
				}
			}
		}
	})
}
