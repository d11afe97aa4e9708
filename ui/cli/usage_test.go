package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A mistyped flag must say what was wrong and show the usage, not exit silently.
func TestMistypedFlagPrintsMessageAndUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--senario", "x"}, "cvmscope: unknown flag: --senario (did you mean --scenario?)"},
		{[]string{"-x"}, "cvmscope: unknown shorthand flag: 'x' in -x"},
		{[]string{"--lang"}, "cvmscope: flag needs an argument: --lang"},
		{[]string{"inspect", "--bogus"}, "cvmscope inspect: unknown flag: --bogus"},
		{[]string{"verify", "--trust-simulted", "t.jwt"}, "cvmscope verify: unknown flag: --trust-simulted (did you mean --trust-simulated?)"},
		{[]string{"serve", "--lisen", ":1"}, "cvmscope serve: unknown flag: --lisen (did you mean --listen?)"},
		{[]string{"emulator", "--nope"}, "cvmscope emulator: unknown flag: --nope"},
	} {
		r := runCLI(t, tc.args...)
		if r.code != 1 {
			t.Errorf("%v: exit %d, want 1", tc.args, r.code)
		}
		if r.stdout != "" {
			t.Errorf("%v: stdout %q, want nothing", tc.args, r.stdout)
		}
		lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
		if last := lines[len(lines)-1]; last != tc.msg {
			t.Errorf("%v: last line of stderr %q, want %q", tc.args, last, tc.msg)
		}
		if !strings.Contains(r.stderr, "Usage:") || !strings.Contains(r.stderr, "Flags of "+strings.SplitN(tc.msg, ":", 2)[0]+":") {
			t.Errorf("%v: stderr lacks the usage and the command's flags:\n%s", tc.args, r.stderr)
		}
	}
}

func TestNoSuggestionForDistantFlag(t *testing.T) {
	r := runCLI(t, "--zzzzzzzz")
	if strings.Contains(r.stderr, "did you mean") {
		t.Errorf("suggested a flag for an unrelated word:\n%s", r.stderr)
	}
}

// help, help COMMAND and --help print the usage and the command's flags on stdout, exit 0.
func TestHelpCommand(t *testing.T) {
	for _, tc := range []struct {
		args     []string
		flagsOf  string
		flagWant string
	}{
		{[]string{"help"}, "cvmscope", "--scenario"},
		{[]string{"--help"}, "cvmscope", "--scenario"},
		{[]string{"-h"}, "cvmscope", "--scenario"},
		{[]string{"help", "help"}, "cvmscope", "--scenario"},
		{[]string{"help", "inspect"}, "cvmscope inspect", "--trust-bundle-keys"},
		{[]string{"inspect", "--help"}, "cvmscope inspect", "--trust-bundle-keys"},
		{[]string{"help", "verify"}, "cvmscope verify", "--jwks"},
		{[]string{"help", "serve"}, "cvmscope serve", "--host-key"},
		{[]string{"help", "emulator"}, "cvmscope emulator", "--allow-remote"},
	} {
		r := runCLI(t, tc.args...)
		if r.code != 0 || r.stderr != "" {
			t.Errorf("%v: exit %d, stderr %q; want 0 and nothing", tc.args, r.code, r.stderr)
		}
		if !strings.Contains(r.stdout, "Usage:") || !strings.Contains(r.stdout, "Flags of "+tc.flagsOf+":") || !strings.Contains(r.stdout, tc.flagWant) {
			t.Errorf("%v: stdout lacks the usage, %q or %s:\n%s", tc.args, tc.flagsOf, tc.flagWant, r.stdout)
		}
		if strings.Contains(r.stdout, "did you mean") {
			t.Errorf("%v: help answered with a suggestion:\n%s", tc.args, r.stdout)
		}
	}
	r := runCLI(t, "help", "version")
	if r.code != 0 || !strings.Contains(r.stdout, "prints the version") {
		t.Errorf("help version: exit %d\n%s", r.code, r.stdout)
	}
	r = runCLI(t, "help", "bogus")
	if r.code != 1 || !strings.Contains(r.stderr, `no command "bogus"`) || !strings.Contains(r.stderr, "inspect, verify") {
		t.Errorf("help bogus: exit %d, stderr %q", r.code, r.stderr)
	}
}

// A stray word is a mistyped command; a file is what inspect takes, and only then is
// inspect suggested.
func TestUnexpectedArgument(t *testing.T) {
	r := runCLI(t, "inpsect")
	if r.code != 1 || !strings.Contains(r.stderr, `unknown command "inpsect"`) || strings.Contains(r.stderr, "cvmscope inspect inpsect") {
		t.Errorf("inpsect: exit %d, stderr %q", r.code, r.stderr)
	}
	// A flag before the command made the command a stray word: "unknown command "inspect""
	// listed inspect among the commands.
	r = runCLI(t, "--lang", "ko", "inspect", "x.bin")
	// --lang ko was typed, so the answer is Korean.
	if r.code != 1 || strings.Contains(r.stderr, "unknown command") || !strings.Contains(r.stderr, "`cvmscope inspect --lang ko x.bin`") ||
		!strings.Contains(r.stderr, "명령이므로 맨 앞에 옵니다") {
		t.Errorf("--lang ko inspect: exit %d, stderr %q", r.code, r.stderr)
	}
	// The suggestion is the whole command line again, ready to paste: the flags typed after
	// the command (which the plain run took too) are kept, a flag's value that reads as a
	// command stays the value, and an argument with spaces is quoted.
	r = runCLI(t, "--lang", "en", "--nonce", "inspect", "verify", "-a", "https://x.attest.azure.net", "--now=2022-04-15T00:00:00Z", "my token.jwt")
	if want := "`cvmscope verify --lang en --nonce inspect -a https://x.attest.azure.net --now=2022-04-15T00:00:00Z 'my token.jwt'`"; r.code != 1 || !strings.Contains(r.stderr, want) {
		t.Errorf("--nonce inspect verify ...: exit %d, stderr %q, want %s", r.code, r.stderr, want)
	}
	f := filepath.Join(t.TempDir(), "report.bin")
	if err := os.WriteFile(f, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	r = runCLI(t, f)
	if r.code != 1 || !strings.Contains(r.stderr, "cvmscope inspect "+f) {
		t.Errorf("file argument: exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestEditDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		d    int
	}{{"", "", 0}, {"senario", "scenario", 1}, {"lang", "lang", 0}, {"abc", "", 3}, {"kitten", "sitting", 3}} {
		if got := editDistance(tc.a, tc.b); got != tc.d {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.d)
		}
	}
}

// TestInspectAndVerifyOpenOnTheAnswer: in a terminal, inspect and verify run their steps at
// once and open on the verdict (what their user came for), the plain run on the welcome,
// waiting for its presenter; ui's TestRunAtStartShowsTheStepsRun shows what RunAtStart draws.
func TestInspectAndVerifyOpenOnTheAnswer(t *testing.T) {
	for _, c := range []struct {
		cmd  command
		want bool
	}{{cmdInspect, true}, {cmdVerify, true}, {cmdRun, false}} {
		if got := opensOnAnswer(c.cmd); got != c.want {
			t.Errorf("%s: opens on the answer %v, want %v", c.cmd.name(), got, c.want)
		}
	}
}
