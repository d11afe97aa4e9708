//go:build !cgo

package tpm

// EmbeddedSimulator reports whether this build carries go-tpm-tools' TPM simulator. The
// pure-Go build (CGO_ENABLED=0, the release binaries) links a stub whose every command
// fails, so "sim" is refused up front with the way to a TPM that works.
const EmbeddedSimulator = false
