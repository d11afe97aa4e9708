package imds

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/cvmscope/cvmscope/attestation/fault"
)

const instancePath = "/metadata/instance?api-version=2021-02-01&format=json"

// Instance is the part of the instance document cvmscope shows and uses.
type Instance struct {
	VMID           string
	Name           string
	Location       string
	VMSize         string
	Zone           string
	OSType         string
	ResourceGroup  string
	SubscriptionID string
	// SecurityType is "ConfidentialVM", "TrustedLaunch" or empty for a plain VM.
	SecurityType string
	// SecureBoot and VTPM are IMDS's "true"/"false" strings, kept as sent.
	SecureBoot string
	VTPM       string
	Tags       map[string]string
}

// Instance fetches the instance metadata document.
func (c *Client) Instance(ctx context.Context) (*Instance, error) {
	b, err := c.do(ctx, "GET", instancePath, nil, nil)
	if err != nil {
		return nil, err
	}
	return parseInstance(b)
}

// parseInstance reads the instance document IMDS answered.
func parseInstance(b []byte) (*Instance, error) {
	var doc struct {
		Compute struct {
			VMID              string `json:"vmId"`
			Name              string `json:"name"`
			Location          string `json:"location"`
			VMSize            string `json:"vmSize"`
			Zone              string `json:"zone"`
			OSType            string `json:"osType"`
			ResourceGroupName string `json:"resourceGroupName"`
			SubscriptionID    string `json:"subscriptionId"`
			SecurityProfile   struct {
				SecureBootEnabled string `json:"secureBootEnabled"`
				VirtualTpmEnabled string `json:"virtualTpmEnabled"`
				SecurityType      string `json:"securityType"`
			} `json:"securityProfile"`
			TagsList []struct {
				Name  string `json:"name"`
				Value string `json:"value"`
			} `json:"tagsList"`
		} `json:"compute"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fault.Errorf(fault.Network, "IMDS /metadata/instance: answer is not the JSON instance document: %v", err)
	}
	cp := doc.Compute
	if cp.VMID == "" && cp.Location == "" {
		return nil, fault.Errorf(fault.Network, "IMDS /metadata/instance: compute.vmId and compute.location are both missing")
	}
	in := &Instance{VMID: cp.VMID, Name: cp.Name, Location: cp.Location, VMSize: cp.VMSize, Zone: cp.Zone,
		OSType: cp.OSType, ResourceGroup: cp.ResourceGroupName, SubscriptionID: cp.SubscriptionID,
		SecurityType: cp.SecurityProfile.SecurityType, SecureBoot: cp.SecurityProfile.SecureBootEnabled,
		VTPM: cp.SecurityProfile.VirtualTpmEnabled, Tags: map[string]string{}}
	for _, t := range cp.TagsList {
		in.Tags[t.Name] = t.Value
	}
	return in, nil
}

// The text endpoints Microsoft's clients read one value from (protocol §3.3).
const (
	vmIDPath     = "/metadata/instance/compute/vmId?api-version=2019-03-11&format=text"
	locationPath = "/metadata/instance/compute/location?api-version=2021-01-01&format=text"
)

// VMID returns compute.vmId as IMDS writes it (a lower-case GUID on Azure; the runtime
// claims' vmUniqueId is the same GUID upper-cased, so compare without case).
func (c *Client) VMID(ctx context.Context) (string, error) {
	return c.text(ctx, vmIDPath, "compute/vmId")
}

// Location returns compute.location, the region name (e.g. "koreacentral") that selects the
// regional MAA and THIM hosts.
func (c *Client) Location(ctx context.Context) (string, error) {
	return c.text(ctx, locationPath, "compute/location")
}

func (c *Client) text(ctx context.Context, path, what string) (string, error) {
	b, err := c.do(ctx, "GET", path, nil, nil)
	if err != nil {
		return "", err
	}
	return parseText(b, what)
}

// parseText reads a one-line text answer.
func parseText(b []byte, what string) (string, error) {
	s := strings.TrimSpace(string(b))
	if s == "" || strings.ContainsAny(s, "{}\n") {
		return "", fault.Errorf(fault.Network, "IMDS %s: want one line of text, got %q", what, snippet(b))
	}
	return s, nil
}
