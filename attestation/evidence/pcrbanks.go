package evidence

import (
	"bytes"
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
		Banks json.RawMessage `json:"pcrBanks"`
	}
	var banks map[string]map[string]string
	if json.Unmarshal(data, &top) != nil || json.Unmarshal(top.Banks, &banks) != nil || len(banks) == 0 {
		return nil, nil
	}
	out := map[string]map[int][]byte{}
	// Members in the file's order, as ParsePCRs reads them: "0" and "00" (or one bank or key
	// written twice) are one PCR given twice, refused rather than left to a map's order.
	err := eachMember(top.Banks, func(name string, raw json.RawMessage) error {
		size, ok := bankSizes[name]
		if !ok {
			return fmt.Errorf("PCR values: bank %q in \"pcrBanks\" is not sha1, sha384 or sha512 (SHA-256 values go in \"pcrs\")", name)
		}
		if _, ok := out[name]; ok {
			return fmt.Errorf("PCR values: bank %q is given twice in \"pcrBanks\"", name)
		}
		out[name] = map[int][]byte{}
		return eachMember(raw, func(k string, rawHex json.RawMessage) error {
			var hx string
			_ = json.Unmarshal(rawHex, &hx) // a string: the whole object decoded as strings above
			i, err := strconv.Atoi(k)
			v, herr := hex.DecodeString(hx)
			if err != nil || i < 0 || i > 23 || herr != nil || len(v) != size {
				return fmt.Errorf("PCR values: pcrBanks.%s.%s is not a %d-byte hex value for PCR 0-23", name, k, size)
			}
			if prev, ok := out[name][i]; ok && !bytes.Equal(prev, v) {
				return fmt.Errorf("PCR values: pcrBanks.%s gives PCR %d twice with different values; a file that says two things about one PCR is read differently by different tools", name, i)
			}
			out[name][i] = v
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// eachMember calls fn with every member of the JSON object obj in the order written,
// duplicate keys included (a Go map keeps only the last). obj must be an object that
// json.Unmarshal has accepted.
func eachMember(obj json.RawMessage, fn func(key string, val json.RawMessage) error) error {
	dec := json.NewDecoder(bytes.NewReader(obj))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return fmt.Errorf("PCR values: not a JSON object")
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		k, _ := t.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return err
		}
		if err := fn(k, v); err != nil {
			return err
		}
	}
	return nil
}

// addPCRBanks puts the banks into the set beside its SHA-256 PCRs.
func (s *Set) addPCRBanks(banks map[string]map[int][]byte) {
	for name, vals := range banks {
		s.addBank(tpm2tools.HashAlg(name), vals)
	}
}
