//go:build cgo

package tpm

// EmbeddedSimulator reports whether this build carries go-tpm-tools' TPM simulator, which
// is C code (with libcrypto) and so only exists in cgo builds.
const EmbeddedSimulator = true
