// Package maa speaks Microsoft Azure Attestation's protocol: it picks the regional shared
// provider, builds AzureGuest and SevSnpVm/TdxVm requests with the exact field names and
// encodings of the reference clients, calls the service with bounded, explained retries,
// and opens the encrypted AzureGuest answer.
//
// Nothing here touches a TPM: the ephemeral key's decryption is passed in as a function, so
// the same code serves a real vTPM, the simulator and the emulator.
package maa

import (
	"fmt"
	"net/url"
	"strings"
	"sync"
)

// DefaultEndpoint is the AZ-CPP sample's default provider (East US 2). Callers use it only
// when neither -a nor a known IMDS region gives one, and say so.
const DefaultEndpoint = "https://sharedeus2.eus2.attest.azure.net"

// Paths with the api-versions the reference clients use (protocol §4.1).
const (
	PathAzureGuest = "/attest/AzureGuest?api-version=2020-10-01"
	PathSevSnpVm   = "/attest/SevSnpVm?api-version=2022-08-01"
	PathTdxVm      = "/attest/TdxVm?api-version=2023-04-01-preview"
)

// regionCodes maps an Azure region to the code in its shared provider's host name
// (AZ-PY attestation_uri_table.json; protocol §7).
// Built on first use, not at init: only a run that looks up its region reads it.
var regionCodes = sync.OnceValue(func() map[string]string {
	return map[string]string{
		"australiacentral": "cau", "australiacentral2": "cau2", "australiaeast": "eau", "australiasoutheast": "sau",
		"austriaeast": "ate", "brazilsouth": "sbr", "brazilsoutheast": "sebr", "canadacentral": "cac", "canadaeast": "cae",
		"centralindia": "cin", "centralus": "cus", "centraluseuap": "cuse", "chilecentral": "clc", "eastasia": "easia",
		"eastus": "eus", "eastus2": "eus2", "eastus2euap": "eus2e", "francecentral": "frc", "francesouth": "frs",
		"germanynorth": "den", "germanywestcentral": "dewc", "israelcentral": "ilc", "italynorth": "itn",
		"japaneast": "jpe", "japanwest": "jpw", "jioindiacentral": "jinc", "jioindiawest": "jinw", "koreacentral": "krc",
		"koreasouth": "krs", "malaysiasouth": "mys", "mexicocentral": "mxc", "newzealandnorth": "nzn",
		"northcentralus": "ncus", "northeurope": "neu", "norwayeast": "noe", "norwaywest": "now", "polandcentral": "plc",
		"southafricanorth": "san", "southafricawest": "saw", "southcentralus": "scus", "southindia": "sin",
		"southeastasia": "sasia", "spaincentral": "esc", "swedencentral": "sec", "swedensouth": "ses",
		"switzerlandnorth": "swn", "switzerlandwest": "sww", "taiwannorth": "twn", "taiwannorthwest": "twnw",
		"uaecentral": "uaec", "uaenorth": "uaen", "uksouth": "uks", "ukwest": "ukw", "westcentralus": "wcus",
		"westeurope": "weu", "westindia": "win", "westus": "wus", "westus2": "wus2", "westus3": "wus3",
	}
})

// usGovCodes is the US Government cloud's table; its providers live under attest.azure.us.
var usGovCodes = map[string]string{
	"usgovvirginia": "ugv", "usgovarizona": "uga", "usgovtexas": "uga",
}

// Endpoint returns the shared MAA provider of an Azure region ("Korea Central",
// "koreacentral", "USGov Virginia"). An unknown region gives false: unlike AZ-PY we never
// pick a random provider, because a token from another region's provider surprises users.
func Endpoint(location string) (string, bool) {
	r := strings.ToLower(strings.Join(strings.Fields(location), ""))
	if code, ok := usGovCodes[r]; ok {
		return fmt.Sprintf("https://shared%s.%s.attest.azure.us", code, code), true
	}
	if code, ok := regionCodes()[r]; ok {
		return fmt.Sprintf("https://shared%s.%s.attest.azure.net", code, code), true
	}
	return "", false
}

// Normalize reduces a user-given attestation URL to scheme and host, so that
// "https://x.attest.azure.net/", "x.attest.azure.net" and a full attest URL all name the
// same provider. AZ-CPP keeps only the host; we keep the scheme too so an http loopback
// emulator stays reachable. A missing scheme means https.
func Normalize(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", fmt.Errorf("attestation URL is empty; give a provider such as %s", DefaultEndpoint)
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", fmt.Errorf("attestation URL %q is not a URL: %v", raw, err)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return "", fmt.Errorf("attestation URL %q: scheme %q is not http or https", raw, u.Scheme)
	}
	if u.Host == "" {
		return "", fmt.Errorf("attestation URL %q has no host name", raw)
	}
	host := strings.ToLower(u.Host)
	// A fully qualified name's trailing dot names the same host: without dropping it,
	// "x.attest.azure.net." would escape every check for an Azure provider (--emulator-ca's
	// refusal among them) while still reaching Azure.
	if hn := u.Hostname(); strings.HasSuffix(hn, ".") {
		host = strings.ToLower(strings.TrimRight(hn, "."))
		if p := u.Port(); p != "" {
			host += ":" + p
		}
	}
	if host == "" || strings.HasPrefix(host, ":") {
		return "", fmt.Errorf("attestation URL %q has no host name", raw)
	}
	return strings.ToLower(u.Scheme) + "://" + host, nil
}

// IsAzureHost reports whether raw (a URL or a bare host, any scheme and port) names a host
// under attest.azure.net or attest.azure.us: where a private root (--emulator-ca) must never
// be used, however the name is spelled.
func IsAzureHost(raw string) bool {
	b, err := Normalize(raw)
	if err != nil {
		return false
	}
	u, err := url.Parse(b)
	if err != nil {
		return false
	}
	h := strings.TrimRight(strings.ToLower(u.Hostname()), ".")
	return strings.HasSuffix(h, ".attest.azure.net") || strings.HasSuffix(h, ".attest.azure.us")
}

// IsAzureProvider reports whether base (scheme and host) is an Azure attestation provider:
// https and a host under attest.azure.net or attest.azure.us. Only such hosts, or the one
// the user named with -a, are trusted to serve signing keys for a token's issuer.
func IsAzureProvider(base string) bool {
	u, err := url.Parse(base)
	if err != nil || u.Scheme != "https" || u.Port() != "" {
		return false
	}
	h := strings.TrimRight(strings.ToLower(u.Hostname()), ".")
	return strings.HasSuffix(h, ".attest.azure.net") || strings.HasSuffix(h, ".attest.azure.us")
}
