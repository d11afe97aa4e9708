package maa

// WindowsOSInfo is the request's OS fields for a Windows guest (azure-protocol.md §4.2):
// OSType "Windows", OSDistro "Microsoft", OSBuild "NotApplicable" and the Windows version
// (10.0 on Windows Server 2016 and later); a zero major version, which AZ-CPP refuses,
// becomes 10.
func WindowsOSInfo(major, minor uint32) OSInfo {
	info := OSInfo{Type: "Windows", Distro: "Microsoft", VersionMajor: 10, Build: "NotApplicable"}
	if major > 0 {
		info.VersionMajor, info.VersionMinor = int(major), int(minor)
	}
	return info
}
