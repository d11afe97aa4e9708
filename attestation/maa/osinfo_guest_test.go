package maa

import "testing"

func TestWindowsOSInfo(t *testing.T) {
	want := OSInfo{Type: "Windows", Distro: "Microsoft", VersionMajor: 10, VersionMinor: 0, Build: "NotApplicable"}
	if got := WindowsOSInfo(10, 0); got != want {
		t.Errorf("WindowsOSInfo(10, 0) = %+v, want %+v", got, want)
	}
	if got := WindowsOSInfo(0, 3); got != want {
		t.Errorf("WindowsOSInfo(0, 3) = %+v, want the default 10.0 (AZ-CPP refuses major 0)", got)
	}
}
