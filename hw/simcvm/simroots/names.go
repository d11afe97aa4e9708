package simroots

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"strings"
	"time"
)

// RootLabel and LeafLabel name every simulated certificate as such, in its subject.
const (
	RootLabel = "SIMULATED cvmscope test root — not AMD/Intel/Microsoft"
	LeafLabel = "SIMULATED cvmscope test certificate — not AMD/Intel/Microsoft"
	// labelPrefix is what IsSimulated looks for; both labels start with it.
	labelPrefix = "SIMULATED cvmscope"
)

// Validity of every simulated root, intermediate, VCEK and MAA certificate: long and fixed,
// so that tests and screenshots do not change with the date.
var (
	NotBefore = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	NotAfter  = time.Date(2049, 12, 31, 23, 59, 59, 0, time.UTC)
)

var (
	oidCommonName  = asn1.ObjectIdentifier{2, 5, 4, 3}
	oidCountry     = asn1.ObjectIdentifier{2, 5, 4, 6}
	oidLocality    = asn1.ObjectIdentifier{2, 5, 4, 7}
	oidProvince    = asn1.ObjectIdentifier{2, 5, 4, 8}
	oidOrg         = asn1.ObjectIdentifier{2, 5, 4, 10}
	oidOrgUnit     = asn1.ObjectIdentifier{2, 5, 4, 11}
	oidDescription = asn1.ObjectIdentifier{2, 5, 4, 13}
)

// amdName is an AMD KDS subject (attributes in AMD's order: OU, C, L, ST, O, CN) followed by a
// description RDN carrying the label. go-sev-guest requires C, L, ST, O, OU and the CN to be
// exactly AMD's, and never looks at the description, so the label has to live there.
func amdName(cn, label string) ([]byte, error) {
	rdns := pkix.RDNSequence{
		{{Type: oidOrgUnit, Value: "Engineering"}},
		{{Type: oidCountry, Value: "US"}},
		{{Type: oidLocality, Value: "Santa Clara"}},
		{{Type: oidProvince, Value: "CA"}},
		{{Type: oidOrg, Value: "Advanced Micro Devices"}},
		{{Type: oidCommonName, Value: cn}},
		{{Type: oidDescription, Value: label}},
	}
	b, err := asn1.Marshal(rdns)
	if err != nil {
		return nil, fmt.Errorf("simroots: encoding subject CN=%s: %w", cn, err)
	}
	return b, nil
}

// simName is the subject of the simulated Microsoft-side certificates, which no library
// constrains: the label goes in O and the CN says SIMULATED too.
func simName(cn, label string) pkix.Name {
	return pkix.Name{CommonName: cn, Organization: []string{label}}
}

// IsSimulated reports whether cert's subject carries the SIMULATED cvmscope label in any
// attribute. The UI uses it to mark simulated evidence; it says nothing about authenticity.
func IsSimulated(cert *x509.Certificate) bool { return SubjectLabel(cert) != "" }

// SubjectLabel returns the label found by IsSimulated, or "" when there is none.
func SubjectLabel(cert *x509.Certificate) string {
	if cert == nil {
		return ""
	}
	for _, atv := range cert.Subject.Names {
		if s, ok := atv.Value.(string); ok && strings.HasPrefix(s, labelPrefix) {
			return s
		}
	}
	return ""
}
