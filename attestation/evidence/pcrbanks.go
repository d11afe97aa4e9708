package evidence

import (
	"crypto"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/cvmscope/cvmscope/attestation/tpm2tools"
)

// bankSizes are the digest sizes of the banks a PCR file may carry beside SHA-256.
var bankSizes = map[string]int{"sha1": crypto.SHA1.Size(), "sha384": crypto.SHA384.Size(), "sha512": crypto.SHA512.Size()}

// parsePCRBanks reads the other banks of a PCR JSON file, as `cvmscope export pcrs` writes
// them: {"pcrBanks": {"sha1": {"0": "<hex>", …}, …}}. No such key is no banks.
func parsePCRBanks(data []byte) (map[string]map[int][]byte, error) {
	var top struct {
		Banks map[string]map[string]string `json:"pcrBanks"`
	}
	if json.Unmarshal(data, &top) != nil || len(top.Banks) == 0 {
		return nil, nil
	}
	out := map[string]map[int][]byte{}
	for name, vals := range top.Banks {
		size, ok := bankSizes[name]
		if !ok {
			return nil, fmt.Errorf("PCR values: bank %q in \"pcrBanks\" is not sha1, sha384 or sha512 (SHA-256 values go in \"pcrs\")", name)
		}
		out[name] = map[int][]byte{}
		for k, hx := range vals {
			i, err := strconv.Atoi(k)
			v, herr := hex.DecodeString(hx)
			if err != nil || i < 0 || i > 23 || herr != nil || len(v) != size {
				return nil, fmt.Errorf("PCR values: pcrBanks.%s.%s is not a %d-byte hex value for PCR 0-23", name, k, size)
			}
			out[name][i] = v
		}
	}
	return out, nil
}

// addPCRBanks puts the banks into the set beside its SHA-256 PCRs.
func (s *Set) addPCRBanks(banks map[string]map[int][]byte) {
	for name, vals := range banks {
		s.addBank(tpm2tools.HashAlg(name), vals)
	}
}
