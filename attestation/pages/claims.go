package pages

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/explain"
	"github.com/cvmscope/cvmscope/attestation/hcl"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/verify"
)

// maaRuntime is where MAA repeats the runtime claims in an AzureGuest token.
const maaRuntime = "x-ms-isolation-tee.x-ms-runtime."

var unknownKey = present.T("Unknown key: cvmscope has no explanation for it; it is shown exactly as read.",
	"알 수 없는 키: cvmscope에 설명이 없어 읽은 그대로 보여 줍니다.")

// claimRow explains a runtime-claims key, marking keys the catalog does not know.
func claimRow(key, name, value string) present.Row {
	row := present.Row{Key: key, Value: value, PCR: -1, Detail: "MAA claim: " + maaRuntime + name, DetailKO: "MAA 클레임: " + maaRuntime + name}
	if _, ok := explain.LookupField(explain.KindRuntime, name); ok {
		row.Explain = explain.FieldValue(explain.KindRuntime, name, value)
	} else {
		row.Explain = unknownKey
		row.Detail = "unknown key\n" + row.Detail
		row.DetailKO = "알 수 없는 키\n" + row.DetailKO
	}
	return row
}

// claimsSection shows every key of the runtime claims: the vTPM keys, every
// vm-configuration entry, user-data, and anything else the paravisor wrote.
func claimsSection(s *evidence.Set, r *verify.Result) present.Section {
	rc := r.Claims
	var rows []present.Row
	rows = append(rows, ko(claimRow("keys", "keys", fmt.Sprintf("%d key%s", len(rc.Keys), plural(len(rc.Keys)))), "", fmt.Sprintf("키 %d개", len(rc.Keys))))
	for i, k := range rc.Keys {
		en, ko := jwkSummary(k)
		row := claimRow(fmt.Sprintf("keys[%d] %s", i, k.Kid), k.Kid, en)
		if ko != en {
			row.ValueKO = ko
		}
		at := fmt.Sprintf("%skeys[%d] (kid %s)", maaRuntime, i, k.Kid)
		row.Detail = strings.Replace(row.Detail, maaRuntime+k.Kid, at, 1) + "\nn=" + k.N + "\ne=" + k.E
		row.DetailKO = strings.Replace(row.DetailKO, maaRuntime+k.Kid, at, 1) + "\nn=" + k.N + "\ne=" + k.E
		if k.Kid == "HCLAkPub" {
			if v := r.Checks.Verdict("ak.binding"); v != check.Skip {
				row.Verdict = v
			}
		}
		rows = append(rows, row)
	}
	rows = append(rows, ko(claimRow("vm-configuration", "vm-configuration", fmt.Sprintf("%d setting%s", len(rc.VMConfigRaw), plural(len(rc.VMConfigRaw)))),
		"", fmt.Sprintf("설정 %d개", len(rc.VMConfigRaw))))
	for _, k := range sortedKeys(rc.VMConfigRaw) {
		v := rc.VMConfigRaw[k]
		row := claimRow("vm-configuration."+k, "vm-configuration."+k, claimValue(k, v))
		if k == "secure-boot" && v == false {
			row.Verdict = check.Warn
			_, row.Hint = explain.Check("boot.secureboot")
		}
		rows = append(rows, row)
		// An object (vmgs-provisioner) gets a row per member, so that each is explained
		// and a member cvmscope does not know is marked, not folded into the JSON.
		if obj, ok := v.(map[string]any); ok {
			for _, m := range sortedKeys(obj) {
				name := "vm-configuration." + k + "." + m
				rows = append(rows, claimRow(name, name, claimValue(m, obj[m])))
			}
		}
	}
	if _, ok := rc.Raw["user-data"]; ok {
		rows = append(rows, userDataRow(s, rc))
	}
	for _, k := range sortedKeys(rc.Raw) {
		switch k {
		case "keys", "vm-configuration", "user-data":
			continue
		}
		rows = append(rows, claimRow(k, k, claimValue(k, rc.Raw[k])))
	}
	return present.Section{ID: "claims", Title: present.T("Runtime claims", "런타임 클레임"), Kind: present.Fields, Rows: rows}
}

// userDataRow compares user-data with what this run wrote to NV 0x01400002, if it wrote.
func userDataRow(s *evidence.Set, rc *hcl.RuntimeClaims) present.Row {
	row := claimRow("user-data", "user-data", rc.UserData)
	if len(s.UserData) == 0 {
		return row
	}
	want := hcl.UserDataHex(s.UserData)
	if strings.EqualFold(want, rc.UserData) {
		row.Verdict = check.Pass
		row.Detail += "\nequals the user data written before the report was read"
		row.DetailKO += "\n보고서를 읽기 전에 쓴 user-data와 같습니다"
	} else {
		row.Verdict = check.Fail
		row.Detail += "\nexpected " + want
		row.DetailKO += "\n기대값 " + want
		row.Hint = present.T("The report was not regenerated over the user data written: write it to NV 0x01400002 and read the report again.",
			"쓴 user-data로 보고서가 다시 만들어지지 않았습니다. NV 0x01400002에 쓰고 보고서를 다시 읽습니다.")
	}
	return row
}

// jwkSummary describes a runtime key in both languages: its size, exponent, what it may
// be used for (key_ops, RFC 7517; the Korean names the uses) and the start of its modulus.
func jwkSummary(k hcl.JWK) (en, ko string) {
	pub, err := k.RSA()
	if err != nil {
		return "unreadable key: " + err.Error(), "읽을 수 없는 키: " + err.Error()
	}
	en = fmt.Sprintf("RSA-%d, e=%d", pub.N.BitLen(), pub.E)
	ko = en
	if len(k.KeyOps) > 0 {
		en += ", key_ops " + strings.Join(k.KeyOps, ",")
		uses := make([]string, len(k.KeyOps))
		for i, op := range k.KeyOps {
			uses[i] = or(keyOpsKO()[op], op)
		}
		ko += ", 용도(key_ops) " + strings.Join(uses, ", ")
	}
	n := k.N
	if len(n) > 16 {
		n = n[:16] + "…"
	}
	return en + ", n=" + n, ko + ", n=" + n
}

// keyOpsKO names the JWK key operations (RFC 7517 §4.3) in Korean.
// Built on first use, not at init: a process builds only the pages of the evidence it has.
var keyOpsKO = sync.OnceValue(func() map[string]string {
	return map[string]string{
		"sign": "서명", "verify": "서명 검증", "encrypt": "암호화", "decrypt": "복호화",
		"wrapKey": "키 감싸기", "unwrapKey": "키 풀기", "deriveKey": "키 유도", "deriveBits": "비트 유도",
	}
})

// claimValue renders a JSON value; current-time is a Unix time and gets its date.
func claimValue(key string, v any) string {
	if f, ok := v.(float64); ok && key == "current-time" {
		return fmt.Sprintf("%d (%s)", int64(f), time.Unix(int64(f), 0).UTC().Format(time.RFC3339))
	}
	switch v := v.(type) {
	case string:
		return v
	case bool, float64:
		return fmt.Sprint(v)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
