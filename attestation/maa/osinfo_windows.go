//go:build windows

package maa

import "golang.org/x/sys/windows"

// HostOSInfo is what Azure's clients send about a Windows guest: the version RtlGetVersion
// reports (it is not subject to the manifest-based version lie of GetVersionEx).
func HostOSInfo() OSInfo {
	v := windows.RtlGetVersion()
	return WindowsOSInfo(v.MajorVersion, v.MinorVersion)
}
