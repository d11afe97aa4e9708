package cli

import (
	"errors"
	"fmt"
	"io"

	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/workshop"
	flag "github.com/spf13/pflag"
)

// knobFlags are the request knobs of a live run (azure-protocol.md §16), as typed.
type knobFlags struct {
	userData, clientPayload, pcr string
}

func addKnobFlags(fs *flag.FlagSet, k *knobFlags) {
	fs.StringVar(&k.userData, "user-data", "", "the 64 bytes written to NV 0x01400002 before the report is read: hex:HEX or utf8:TEXT (up to 64 bytes, zero-padded, as Azure's clients write them) or any other string (its SHA-512, as for a nonce); default SHA-512 of --nonce")
	fs.StringVar(&k.clientPayload, "client-payload", "", `the AzureGuest ClientPayload, a JSON object (at most 4096 bytes, 32 keys), e.g. '{"nonce":"abc","app":"web"}'; --nonce adds "nonce" when it has none; default {"nonce": --nonce}`)
	fs.StringVar(&k.pcr, "pcr", "", "the PCRs the TPM quote covers in the SHA-256 bank, e.g. 0-7,14 or sha256:0-7 (default 0-7, as Azure's Linux clients)")
}

// resolve turns the flags into the workshop's knobs. Every mistake is a misuse (exit 1)
// whose message names the flag and says what to give.
func (k knobFlags) resolve(flow string, nonce string, set func(string) bool) (workshop.Knobs, error) {
	var out workshop.Knobs
	var err error
	if set("user-data") {
		if out.UserData, out.UserDataFrom, err = workshop.ParseUserData(k.userData); err != nil {
			return out, err
		}
	}
	if set("client-payload") {
		if flow == "platform" {
			return out, fault.Korean(fault.WithHint(fault.Internal, errors.New("--client-payload is part of an AzureGuest request; --flow platform (SevSnpVm, TdxVm) sends only a nonce"),
				"drop --client-payload, or use --flow guest"),
				"--client-payload는 AzureGuest 요청의 일부입니다. --flow platform(SevSnpVm, TdxVm)은 논스만 보냅니다", "--client-payload를 빼거나 --flow guest를 씁니다")
		}
		if out.ClientPayload, err = workshop.ParseClientPayload(k.clientPayload); err != nil {
			return out, err
		}
		if v, ok := out.ClientPayload["nonce"]; ok && nonce != "" && v != nonce {
			return out, fault.Korean(fault.WithHint(fault.Internal, fmt.Errorf("--client-payload has nonce %q and --nonce is %q: MAA would echo only one", v, nonce),
				"give the nonce once: in --nonce or in the payload"),
				"--client-payload의 nonce와 --nonce가 다릅니다. MAA는 하나만 돌려줍니다", "논스는 --nonce나 페이로드 중 한 곳에만 줍니다")
		}
	}
	if set("pcr") {
		if flow == "platform" {
			return out, fault.Korean(fault.WithHint(fault.Internal, errors.New("--pcr selects the TPM quote's PCRs; --flow platform sends no TPM quote"),
				"drop --pcr, or use --flow guest"),
				"--pcr은 TPM 쿼트의 PCR을 고릅니다. --flow platform은 TPM 쿼트를 보내지 않습니다", "--pcr을 빼거나 --flow guest를 씁니다")
		}
		if out.PCRs, err = workshop.ParsePCRSelection(k.pcr); err != nil {
			return out, err
		}
	}
	return out, nil
}

// printMisuse prints a flag's error in the reader's language, with what to do.
func printMisuse(w io.Writer, name string, err error, lang present.Lang) {
	msg, hint := fault.MessageIn(err, string(lang))
	eprintf(w, "%s: %s\n", name, msg)
	if hint != "" {
		todo := "  what to do: %s\n"
		if lang == present.KO {
			todo = "  조치 방법: %s\n"
		}
		eprintf(w, todo, hint)
	}
}
