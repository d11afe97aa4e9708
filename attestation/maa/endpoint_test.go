package maa

import "testing"

func TestEndpoint(t *testing.T) {
	for loc, want := range map[string]string{
		"koreacentral":       "https://sharedkrc.krc.attest.azure.net",
		"Korea Central":      "https://sharedkrc.krc.attest.azure.net",
		"West US 3":          "https://sharedwus3.wus3.attest.azure.net",
		"germanywestcentral": "https://shareddewc.dewc.attest.azure.net",
		"eastus2":            "https://sharedeus2.eus2.attest.azure.net",
		"USGov Virginia":     "https://sharedugv.ugv.attest.azure.us",
		"usgovarizona":       "https://shareduga.uga.attest.azure.us",
		"USGov Texas":        "https://shareduga.uga.attest.azure.us",
	} {
		got, ok := Endpoint(loc)
		if !ok || got != want {
			t.Errorf("Endpoint(%q) = %q, %v; want %q", loc, got, ok, want)
		}
	}
	for _, loc := range []string{"", "marsnorth", "usgoviowa"} {
		if got, ok := Endpoint(loc); ok || got != "" {
			t.Errorf("Endpoint(%q) = %q, %v; an unknown region must give false, never a guess", loc, got, ok)
		}
	}
	if len(regionCodes()) != 59 {
		t.Errorf("region table has %d entries; protocol §7 lists 59 public regions", len(regionCodes()))
	}
}

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{
		"https://sharedkrc.krc.attest.azure.net/":                                         "https://sharedkrc.krc.attest.azure.net",
		"sharedkrc.krc.attest.azure.net":                                                  "https://sharedkrc.krc.attest.azure.net",
		"https://SharedWEU.weu.attest.azure.net/attest/AzureGuest?api-version=2020-10-01": "https://sharedweu.weu.attest.azure.net",
		"http://127.0.0.1:8443/x":                                                         "http://127.0.0.1:8443",
		// A trailing dot names the same host; kept, it slipped past the Azure-host checks.
		"https://X.EUS.ATTEST.AZURE.NET.":     "https://x.eus.attest.azure.net",
		"https://x.eus.attest.azure.net.:443": "https://x.eus.attest.azure.net:443",
	} {
		got, err := Normalize(in)
		if err != nil || got != want {
			t.Errorf("Normalize(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "ftp://x", "https://", "%zz", "https://.", "https://.:443"} {
		if _, err := Normalize(bad); err == nil {
			t.Errorf("Normalize(%q) accepted", bad)
		}
	}
}

func TestIsAzureHost(t *testing.T) {
	for raw, want := range map[string]bool{
		"https://sharedeus.eus.attest.azure.net": true, "X.EUS.ATTEST.AZURE.NET.": true, "https://x.eus.attest.azure.net.:443/": true,
		"http://x.attest.azure.us:8443": true, "https://attest.azure.net.evil.example": false, "https://127.0.0.1:8443": false,
		"https://notattest.azure.net": false, "": false,
	} {
		if got := IsAzureHost(raw); got != want {
			t.Errorf("IsAzureHost(%q) = %v, want %v", raw, got, want)
		}
	}
}

func TestOSInfoFromOSRelease(t *testing.T) {
	ubuntu := []byte("PRETTY_NAME=\"Ubuntu 22.04.4 LTS\"\nNAME=\"Ubuntu\"\nVERSION_ID=\"22.04\"\nID=ubuntu\n")
	if got := OSInfoFromOSRelease(ubuntu); got != (OSInfo{"Linux", "Ubuntu", 22, 4, "NotApplication"}) {
		t.Errorf("ubuntu: %+v", got)
	}
	rhel := []byte("NAME='Red Hat Enterprise Linux'\nVERSION_ID=\"9.4.1\"\n")
	if got := OSInfoFromOSRelease(rhel); got.Distro != "Red Hat Enterprise Linux" || got.VersionMajor != 9 || got.VersionMinor != 4 {
		t.Errorf("rhel: %+v", got)
	}
	// A rolling release has no VERSION_ID; MAA's client defaults to 1.0.
	arch := []byte("NAME=\"Arch Linux\"\nID=arch\n")
	if got := OSInfoFromOSRelease(arch); got.VersionMajor != 1 || got.VersionMinor != 0 || got.Distro != "Arch Linux" {
		t.Errorf("arch: %+v", got)
	}
	if got := OSInfoFromOSRelease([]byte("VERSION_ID=0\n#NAME=x\ngarbage")); got.VersionMajor != 1 || got.Distro != "Linux" {
		t.Errorf("garbage: %+v", got)
	}
	if got := OSInfoFromOSRelease([]byte("NAME=Debian GNU/Linux\nVERSION_ID=\"12\"")); got.VersionMajor != 12 || got.VersionMinor != 0 {
		t.Errorf("debian: %+v", got)
	}
}
