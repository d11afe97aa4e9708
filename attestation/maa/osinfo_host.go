//go:build !windows

package maa

import "os"

// HostOSInfo is what Azure's clients send about the OS cvmscope runs on: on Linux,
// /etc/os-release read as AZ-CPP reads it.
func HostOSInfo() OSInfo {
	b, err := os.ReadFile("/etc/os-release")
	if err != nil {
		b = nil
	}
	return OSInfoFromOSRelease(b)
}
