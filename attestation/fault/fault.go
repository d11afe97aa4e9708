// Package fault classifies errors into the kinds that decide cvmscope's exit code.
//
// Exit codes (documented in the README and used by every command):
//
//	0 all checks passed
//	1 misuse or internal error
//	2 evidence or token verification failed
//	3 network or service error (IMDS, MAA, certificate services)
//	4 TPM or device error
//	5 policy denied
//	130 interrupted (Ctrl-C, SIGTERM, Esc): nothing was decided
package fault

import (
	"context"
	"errors"
	"fmt"
)

// Kind is the class of a failure.
type Kind int

const (
	Internal     Kind = iota // misuse or a bug: exit 1
	Verification             // evidence or token did not verify: exit 2
	Network                  // IMDS, MAA or a certificate service: exit 3
	Device                   // TPM or device: exit 4
	Policy                   // a policy or expectation denied: exit 5
	Interrupted              // the user or a signal cancelled the run: exit 130
)

// ExitCode is the process exit code for a kind.
func (k Kind) ExitCode() int {
	switch k {
	case Verification:
		return 2
	case Network:
		return 3
	case Device:
		return 4
	case Policy:
		return 5
	case Interrupted:
		return 130
	}
	return 1
}

func (k Kind) String() string {
	switch k {
	case Verification:
		return "verification"
	case Network:
		return "network"
	case Device:
		return "device"
	case Policy:
		return "policy"
	case Interrupted:
		return "interrupted"
	}
	return "internal"
}

// Error is an error with a kind and, optionally, advice on what to do.
type Error struct {
	Kind Kind
	Err  error
	// Hint says what the user can do about it, in one sentence.
	Hint string
	// KO and HintKO are the message and hint in Korean, when someone wrote them.
	KO, HintKO string
	// unkinded marks a Korean wrapper around an error nobody classified: it adds words,
	// not a kind, so Default may still classify the error.
	unkinded bool
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// New wraps err with a kind. A nil err gives nil.
func New(kind Kind, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Kind: kind, Err: err}
}

// Errorf formats an error of the given kind.
func Errorf(kind Kind, format string, a ...any) error {
	return &Error{Kind: kind, Err: fmt.Errorf(format, a...)}
}

// Default wraps err with kind unless something in its chain already classified it: a TPM
// error met while decrypting stays a device error rather than becoming a verification one.
func Default(kind Kind, err error) error {
	if err == nil || classified(err) != nil {
		return err
	}
	return &Error{Kind: kind, Err: err}
}

// WithHint wraps err with a kind and a hint.
func WithHint(kind Kind, err error, hint string) error {
	if err == nil {
		return nil
	}
	return &Error{Kind: kind, Err: err, Hint: hint}
}

// KindOf returns the kind of the outermost classified error in err's chain, Internal when
// none is classified. A chain that holds context.Canceled is Interrupted whatever it was
// wrapped as: a cancelled call says nothing about the network, the TPM or the evidence.
func KindOf(err error) Kind {
	if errors.Is(err, context.Canceled) {
		return Interrupted
	}
	if fe := classified(err); fe != nil {
		return fe.Kind
	}
	return Internal
}

// classified is the outermost *Error in err's chain that says a kind; a Korean wrapper
// around an unclassified error says none.
func classified(err error) *Error {
	for err != nil {
		var fe *Error
		if !errors.As(err, &fe) {
			return nil
		}
		if !fe.unkinded {
			return fe
		}
		err = fe.Err
	}
	return nil
}

// HintOf returns the first hint in err's chain.
func HintOf(err error) string {
	for err != nil {
		var fe *Error
		if !errors.As(err, &fe) {
			return ""
		}
		if fe.Hint != "" {
			return fe.Hint
		}
		err = fe.Err
	}
	return ""
}

// ExitCode maps an error to the process exit code; nil is 0.
func ExitCode(err error) int {
	if err == nil {
		return 0
	}
	return KindOf(err).ExitCode()
}

// Korean wraps err with its Korean message and hint (either may be empty), keeping err's
// kind and English text. The outermost Korean text wins in MessageIn.
func Korean(err error, msg, hint string) error {
	if err == nil {
		return nil
	}
	return &Error{Kind: KindOf(err), Err: err, KO: msg, HintKO: hint, unkinded: classified(err) == nil}
}

// QuoteKO is how Korean text quotes words cvmscope did not write (a service's message, the
// system's error): after a Korean label, in 「」, as received. One form everywhere, so a
// reader sees the English is a quotation and the Korean around it says what happened.
// Without a label (a row already labelled "메시지") it is the quotation alone.
func QuoteKO(label, text string) string {
	if label == "" {
		return "「" + text + "」"
	}
	return label + ": 「" + text + "」"
}

// MessageIn returns err's message and hint in lang ("ko" or English), falling back to
// English where no Korean was written.
func MessageIn(err error, lang string) (msg, hint string) {
	if err == nil {
		return "", ""
	}
	msg, hint = err.Error(), HintOf(err)
	if lang != "ko" {
		return msg, hint
	}
	var koMsg, koHint string
	for e := err; e != nil; {
		var fe *Error
		if !errors.As(e, &fe) {
			break
		}
		if koMsg == "" {
			koMsg = fe.KO
		}
		if koHint == "" {
			koHint = fe.HintKO
		}
		e = fe.Err
	}
	if koMsg != "" {
		msg = koMsg
	}
	if koHint != "" {
		hint = koHint
	}
	return msg, hint
}
