package sshserve

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"slices"
	"strings"

	"github.com/cvmscope/cvmscope/attestation/regfile"

	"github.com/charmbracelet/ssh"
	gossh "golang.org/x/crypto/ssh"
)

// codeAlphabet leaves out letters and digits that read alike on a slide (0/o, 1/l/i).
const codeAlphabet = "abcdefghjkmnpqrstuvwxyz23456789"

// NewRoomCode returns a fresh room code of 8 characters (about 40 bits), written as two
// groups of four for the slide, e.g. "k7mq-4xpa".
func NewRoomCode() (string, error) {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("room code: %w", err)
	}
	for i := range b {
		// 256 is not a multiple of 31: the first 8 letters are a little more likely
		// (9 vs 8 in 256). That costs well under a bit of the code's 39.6.
		b[i] = codeAlphabet[int(b[i])%len(codeAlphabet)]
	}
	return string(b[:4]) + "-" + string(b[4:]), nil
}

// normCode is what is compared: case, spaces and hyphens do not matter, as people type
// a code read from a slide.
func normCode(s string) []byte {
	s = strings.ToLower(s)
	s = strings.NewReplacer("-", "", " ", "", "\t", "").Replace(s)
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// codeMatches compares in constant time: both sides are hashed first, so neither the
// code's length nor a common prefix shows in the time taken.
func codeMatches(typed, code string) bool {
	return subtle.ConstantTimeCompare(normCode(typed), normCode(code)) == 1
}

// LoadAuthorizedKeys reads an OpenSSH authorized_keys file. Options before a key
// (from=, command=, …) are not honoured, so a line carrying any is refused rather than
// silently widened.
func LoadAuthorizedKeys(path string) ([]gossh.PublicKey, error) {
	return LoadKeys("--authorized-keys", path)
}

// LoadKeys reads an OpenSSH authorized_keys file given to flag, as LoadAuthorizedKeys
// does; errors name the flag.
func LoadKeys(flag, path string) ([]gossh.PublicKey, error) {
	// Only a regular file, capped: a FIFO or /dev/zero given by mistake must not hang the
	// room's start.
	data, err := regfile.Read(path, 1<<20)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", flag, path, err)
	}
	var keys []gossh.PublicKey
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		key, _, options, _, err := gossh.ParseAuthorizedKey(line)
		if err != nil {
			return nil, fmt.Errorf("%s %s line %d: %v (each line is one OpenSSH public key, e.g. the contents of ~/.ssh/id_ed25519.pub)", flag, path, n, err)
		}
		if len(options) > 0 {
			return nil, fmt.Errorf("%s %s line %d: key options (%s) are not supported; remove them", flag, path, n, strings.Join(options, ","))
		}
		keys = append(keys, key)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s %s: %w", flag, path, err)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("%s %s holds no key: add one OpenSSH public key per line", flag, path)
	}
	return keys, nil
}

// authOptions are the SSH server's ways in: the listed keys, the room code (asked by
// keyboard-interactive, or taken as a password for clients set to password only), or,
// for an open room, no authentication at all.
func authOptions(cfg Config) []ssh.Option {
	var opts []ssh.Option
	if len(cfg.AuthorizedKeys)+len(cfg.InstructorKeys) > 0 {
		keys := append(slices.Clone(cfg.AuthorizedKeys), cfg.InstructorKeys...)
		opts = append(opts, ssh.PublicKeyAuth(func(_ ssh.Context, key ssh.PublicKey) bool {
			ok := false
			for _, k := range keys {
				// Every key is compared, so the time does not tell which one matched.
				if ssh.KeysEqual(key, k) {
					ok = true
				}
			}
			return ok
		}))
	}
	if cfg.OpenRoom && hasKeys(cfg) {
		// The open room's way in for everyone without a listed key: keyboard-interactive
		// with no question, after the client's keys were offered (and refused, unless
		// listed), so that a listed key is always seen first.
		// A client that knows only passwords is asked for one, and any will do.
		opts = append(opts, ssh.KeyboardInteractiveAuth(func(ssh.Context, gossh.KeyboardInteractiveChallenge) bool { return true }),
			ssh.PasswordAuth(func(ssh.Context, string) bool { return true }))
	}
	if cfg.RoomCode != "" {
		code := cfg.RoomCode
		opts = append(opts,
			ssh.KeyboardInteractiveAuth(func(_ ssh.Context, ask gossh.KeyboardInteractiveChallenge) bool {
				// ASCII only: OpenSSH's client prints the instruction through strnvis, which turns
				// every Korean byte into an octal escape, and the prompt too under a C locale. The
				// banner, shown first, says it in Korean after the English.
				answers, err := ask("", "cvmscope workshop: type the room code shown on the instructor's slide.",
					[]string{"Room code: "}, []bool{false})
				return err == nil && len(answers) == 1 && codeMatches(answers[0], code)
			}),
			ssh.PasswordAuth(func(_ ssh.Context, password string) bool { return codeMatches(password, code) }),
		)
	}
	return opts
}

// hasKeys says whether any public key is listed, for attendees or instructors.
func hasKeys(cfg Config) bool { return len(cfg.AuthorizedKeys)+len(cfg.InstructorKeys) > 0 }

// isInstructor says whether the session came in with one of the instructor's keys.
func isInstructor(s ssh.Session, keys []gossh.PublicKey) bool {
	k := s.PublicKey()
	ok := false
	for _, ik := range keys {
		if k != nil && ssh.KeysEqual(k, ik) {
			ok = true
		}
	}
	return ok
}

// authOf says how a session's connection got in, for the server's log and the room's list.
func authOf(s ssh.Session, open bool) string {
	if k := s.PublicKey(); k != nil {
		return "key " + gossh.FingerprintSHA256(k)
	}
	if open {
		return "open room"
	}
	return "room code"
}
