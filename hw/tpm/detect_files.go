//go:build !windows

package tpm

import "os"

// DefaultDevices are tried in order by the "auto" target: the resource manager first, so
// that the kernel flushes our transient objects and sessions if the process dies.
var DefaultDevices = []string{"/dev/tpmrm0", "/dev/tpm0"}

// Detect says whether this machine has a TPM device to open, the target for it, and what
// was found in English and Korean (with its object particle): the first of DefaultDevices that exists.
func Detect() (target, found, foundKO string, ok bool) {
	for _, d := range DefaultDevices {
		if _, err := os.Stat(d); err == nil {
			return d, d, d + " 장치를", true
		}
	}
	return "", "", "", false
}
