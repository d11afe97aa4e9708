package pages

import (
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/tpmquote"
)

// KnobsView is what the user chose for the request (--user-data, --client-payload, --pcr),
// shown on Build request beside the request itself; nil for the default request.
type KnobsView struct {
	// UserData are the 64 bytes written to NV 0x01400002 (nil: none written), From says
	// how they were given.
	UserData        []byte
	UserDataFrom    present.Text
	UserDataWritten bool
	// PayloadFromFlag says --client-payload was given, with PayloadFlagKeys keys;
	// PayloadKeys counts all keys sent.
	PayloadKeys     int
	PayloadFromFlag bool
	PayloadFlagKeys int
	PCRs            []int
	PCRsFromFlag    bool
}

// knobsSection lists the knobs a relying party turns, what each was set to and where the
// token shows it, so a reproduced request can be compared with the original.
func knobsSection(k *KnobsView) present.Section {
	sec := present.Section{ID: "knobs", Title: present.T("Request knobs", "요청 설정"), Kind: present.Fields}
	if k == nil {
		return sec
	}
	ud := present.Row{Key: "user-data (NV 0x01400002)", PCR: -1,
		Value: "none written: the report binds 64 zero bytes", ValueKO: "쓰지 않음: 보고서는 0 바이트 64개를 묶습니다",
		Explain: present.T("What the paravisor puts into the next report's runtime claims as user-data; the token's x-ms-runtime.user-data must equal it (jwt.user-data).",
			"패러바이저가 다음 보고서의 런타임 클레임에 user-data로 넣는 값입니다. 토큰의 x-ms-runtime.user-data가 이 값과 같아야 합니다(jwt.user-data).")}
	if k.UserDataWritten {
		ud.Value = strings.ToUpper(hex.EncodeToString(k.UserData))
		ud.ValueKO = ""
		ud.Detail, ud.DetailKO = k.UserDataFrom.EN, k.UserDataFrom.KO
		ud.Copy = ud.Value
	}
	payload := present.Row{Key: "ClientPayload", PCR: -1,
		Value:   fmt.Sprintf("default: the nonce only (%d key%s)", k.PayloadKeys, plural(k.PayloadKeys)),
		ValueKO: fmt.Sprintf("기본값: 논스만(키 %d개)", k.PayloadKeys),
		Explain: present.T("Sent as key/value pairs, each value b64; MAA echoes them in x-ms-runtime.client-payload, which must equal what was sent (jwt.client-payload).",
			"키/값 쌍으로 보내며 각 값은 b64입니다. MAA는 x-ms-runtime.client-payload에 그대로 돌려주며, 보낸 것과 같아야 합니다(jwt.client-payload).")}
	if n := k.PayloadFlagKeys; k.PayloadFromFlag {
		payload.Value = fmt.Sprintf("%d key%s from --client-payload", n, plural(n))
		payload.ValueKO = fmt.Sprintf("--client-payload의 키 %d개", n)
		if k.PayloadKeys > n {
			payload.Value += ", and the nonce from --nonce"
			payload.ValueKO += ", 그리고 --nonce의 논스"
		}
	}
	pcrs := present.Row{Key: "PCR selection", KeyKO: "PCR 선택", PCR: -1,
		Value:   "SHA-256 bank, PCRs " + tpmquote.PCRList(k.PCRs) + " (the default for this guest OS: 0-7 on Linux, 0-7 and 11-14 on Windows)",
		ValueKO: "SHA-256 뱅크, PCR " + tpmquote.PCRList(k.PCRs) + " (이 게스트 OS의 기본값: Linux는 0-7, Windows는 0-7과 11-14)",
		Explain: present.T("The PCRs TPM2_Quote covers and the ephemeral key's policy binds; the quote's selection must be exactly these (tpm.quote.selection) and MAA attests at most these (x-ms-azurevm-attested-pcrs).",
			"TPM2_Quote가 포함하고 임시 키의 정책이 묶는 PCR입니다. 쿼트의 선택이 정확히 이 PCR이어야 하고(tpm.quote.selection) MAA는 이 안에서만 증명합니다(x-ms-azurevm-attested-pcrs).")}
	if k.PCRsFromFlag {
		pcrs.Value = "SHA-256 bank, PCRs " + tpmquote.PCRList(k.PCRs) + " from --pcr"
		pcrs.ValueKO = "SHA-256 뱅크, --pcr로 고른 PCR " + tpmquote.PCRList(k.PCRs)
	}
	sec.Rows = []present.Row{ud, payload, pcrs}
	return sec
}
