package cli

import (
	"encoding/base64"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/token"
)

// Every knob a relying party turns reaches the TPM and MAA, shows on Build request, and is
// checked in the token: raw user data in x-ms-runtime.user-data (zero-padded to 64 bytes),
// the client payload echoed, the quote over the chosen PCRs.
func TestKnobsReachTheToken(t *testing.T) {
	for _, tc := range []struct {
		userData, wantHex string
	}{
		{"hex:00112233", "00112233" + strings.Repeat("00", 60)},
		{"utf8:hi", "6869" + strings.Repeat("00", 62)},
	} {
		t.Run(tc.userData, func(t *testing.T) {
			bundle := filepath.Join(t.TempDir(), "b.json")
			r := runCLI(t, "--platform", "sim", "-o", "json", "--nonce", "n-1", "--user-data", tc.userData,
				"--client-payload", `{"app":"web","n":5,"obj":{"a":[1,2]}}`, "--pcr", "0-7,14", "--save", bundle)
			if r.code != 0 || !r.report.OK {
				t.Fatalf("exit %d ok=%v error=%q\n%s", r.code, r.report.OK, r.report.Error, failing(r.report.Checks))
			}
			for _, id := range []string{"jwt.user-data", "jwt.nonce", "jwt.client-payload", "tpm.quote.selection", "jwt.attested-pcrs"} {
				if v := r.verdict(id); v != check.Pass {
					t.Errorf("%s = %s, want pass", id, v)
				}
			}
			// The bundle keeps the request: inspect checks the saved token against its knobs.
			saved := runCLI(t, "inspect", "-o", "json", "--trust-simulated", bundle)
			for _, id := range []string{"jwt.user-data", "jwt.client-payload", "jwt.attested-pcrs"} {
				if v := saved.verdict(id); v != check.Pass {
					t.Errorf("inspect bundle: %s = %s, want pass", id, v)
				}
			}
			tok, err := token.Parse(r.report.Token)
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := tok.Claims.String("x-ms-isolation-tee", "x-ms-runtime", "user-data"); !strings.EqualFold(got, tc.wantHex) {
				t.Errorf("token user-data %s, want %s", got, tc.wantHex)
			}
			b64 := base64.StdEncoding.EncodeToString
			for k, v := range map[string]string{"app": "web", "n": "5", "obj": `{"a":[1,2]}`, "nonce": "n-1"} {
				if got, _ := tok.Claims.String("x-ms-runtime", "client-payload", k); got != b64([]byte(v)) {
					t.Errorf("client-payload.%s = %q, want b64 of %q", k, got, v)
				}
			}
			if got := token.FormatValue(tok.Claims.Get("x-ms-azurevm-attested-pcrs")); !strings.Contains(got, "14") {
				t.Errorf("attested PCRs %s, want 14 among them", got)
			}
			var knobs []string
			for _, p := range r.report.Pages {
				for _, sec := range p.Sections {
					if sec.ID == "knobs" {
						for _, row := range sec.Rows {
							knobs = append(knobs, row.Key+"="+row.Value)
						}
					}
				}
			}
			want := []string{"user-data (NV 0x01400002)=" + strings.ToUpper(tc.wantHex), "ClientPayload=3 keys from --client-payload, and the nonce from --nonce", "PCR selection=SHA-256 bank, PCRs 0-7,14 from --pcr"}
			if strings.Join(knobs, "\n") != strings.Join(want, "\n") {
				t.Errorf("Request knobs rows:\n%s\nwant:\n%s", strings.Join(knobs, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// Without knobs the request is the default one: no knob section, no knob checks.
func TestKnobsDefaultUnchanged(t *testing.T) {
	r := runCLI(t, "--platform", "sim", "-o", "json", "--nonce", "n-1")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.report.Error)
	}
	for _, id := range []string{"jwt.client-payload", "tpm.quote.selection", "jwt.attested-pcrs"} {
		if l := r.report.Checks.Find(id); len(l) > 0 {
			t.Errorf("%s = %s on a default run, want absent", id, l[0].Verdict)
		}
	}
	for _, p := range r.report.Pages {
		for _, sec := range p.Sections {
			if sec.ID == "knobs" {
				t.Errorf("a default run shows the knobs section on %s", p.Title.EN)
			}
		}
	}
}

// An illegal value is a misuse: exit 1, before anything runs, with a message naming the
// flag and saying what to give, in Korean too.
func TestKnobsMisuse(t *testing.T) {
	for _, tc := range []struct {
		args     []string
		want, ko string
	}{
		{[]string{"--user-data", "hex:zz"}, "--user-data", "16진수가 아닙니다"},
		{[]string{"--user-data", "hex:" + strings.Repeat("ab", 65)}, "NV 0x01400002 holds 64", "64바이트까지"},
		{[]string{"--user-data", "utf8:" + strings.Repeat("x", 65)}, "--user-data", "64바이트까지"},
		{[]string{"--client-payload", "[1,2]"}, "not a JSON object", "JSON 객체가 아닙니다"},
		{[]string{"--client-payload", `{"a":1} {"b":2}`}, "not a JSON object", "JSON 객체가 아닙니다"},
		{[]string{"--client-payload", `{"a":1}}`}, "not a JSON object", "JSON 객체가 아닙니다"},
		{[]string{"--client-payload", `{"a":"` + strings.Repeat("x", 5000) + `"}`}, "4096-byte limit", "한도"},
		{[]string{"--client-payload", `{"nonce":"x"}`, "--nonce", "y"}, "--nonce", "논스는"},
		{[]string{"--client-payload", `{"a":"b"}`, "--flow", "platform"}, "--flow guest", "--flow guest"},
		{[]string{"--pcr", "0-24"}, "--pcr", "PCR 번호나 범위가 아닙니다"},
		{[]string{"--pcr", "7-3"}, "--pcr", "범위"},
		{[]string{"--pcr", "0,,1"}, "--pcr", "범위"},
		{[]string{"--pcr", "sha384:0-7"}, "SHA-256", "SHA-256"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			for _, lang := range []string{"en", "ko"} {
				r := runCLI(t, append([]string{"--platform", "sim", "-o", "json", "--lang", lang}, tc.args...)...)
				want := tc.want
				if lang == "ko" {
					want = tc.ko
				}
				if r.code != 1 || !strings.Contains(r.stderr, want) || r.stdout != "" {
					t.Errorf("%s: exit %d, stderr %q, stdout %q; want exit 1 and %q", lang, r.code, r.stderr, r.stdout, want)
				}
			}
		})
	}
}
