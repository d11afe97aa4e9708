package maa

import (
	"bufio"
	"bytes"
	"strconv"
	"strings"
)

// OSInfo describes the guest OS; MAA copies it into x-ms-azurevm-os* claims without judging it.
type OSInfo struct {
	Type         string // "Linux" or "Windows"
	Distro       string // os-release NAME, e.g. "Ubuntu"
	VersionMajor int
	VersionMinor int
	Build        string // "NotApplication" on Linux, as AZ-CPP sends it
}

// OSInfoFromOSRelease reads /etc/os-release content as AZ-CPP does: NAME without quotes,
// VERSION_ID "22.04" → 22 and 4. A missing or unparsable version gives 1.0, AZ-CPP's default,
// because MAA's reference client refuses major version 0.
func OSInfoFromOSRelease(data []byte) OSInfo {
	info := OSInfo{Type: "Linux", Distro: "Linux", VersionMajor: 1, VersionMinor: 0, Build: "NotApplication"}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		key, val, ok := strings.Cut(strings.TrimSpace(sc.Text()), "=")
		if !ok || strings.HasPrefix(key, "#") {
			continue
		}
		val = strings.Trim(strings.TrimSpace(val), `"'`)
		switch key {
		case "NAME":
			if val != "" {
				info.Distro = val
			}
		case "VERSION_ID":
			majS, minS, _ := strings.Cut(val, ".")
			maj, err := strconv.Atoi(majS)
			if err != nil || maj <= 0 {
				continue
			}
			info.VersionMajor = maj
			info.VersionMinor = 0
			if mn, err := strconv.Atoi(strings.SplitN(minS, ".", 2)[0]); err == nil && mn >= 0 {
				info.VersionMinor = mn
			}
		}
	}
	return info
}
