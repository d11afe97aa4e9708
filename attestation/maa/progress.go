package maa

import (
	"context"
	"time"
)

// Progress is where a running Attest is, for a caller that shows it while it waits: the
// try under way, or the wait before the next one and what the last try got.
type Progress struct {
	// Attempt is the try under way or just answered, from 1; MaxAttempts bounds them.
	Attempt, MaxAttempts int
	// Wait is how long Attest waits before the next try; zero while a try runs.
	Wait time.Duration
	// Status is the last try's HTTP status (429, 503), zero when it got no answer; Err
	// says why not.
	Status int
	Err    string
	// Elapsed is the time since the call began.
	Elapsed time.Duration
}

type progressKey struct{}

// WithProgress returns ctx carrying fn: Attest calls fn as each try starts and before each
// wait, from its own goroutine. fn must return at once (hand the value to a channel
// without blocking); the runner between the caller and Attest need not know about it.
func WithProgress(ctx context.Context, fn func(Progress)) context.Context {
	return context.WithValue(ctx, progressKey{}, fn)
}

func reportProgress(ctx context.Context, p Progress) {
	if fn, ok := ctx.Value(progressKey{}).(func(Progress)); ok && fn != nil {
		fn(p)
	}
}
