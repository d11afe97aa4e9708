package tdx

import (
	"strconv"
	"strings"
)

// TDAttributes is TD_ATTRIBUTES as a little-endian integer.
type TDAttributes uint64

// Bits of TD_ATTRIBUTES that MAA reports as tdx_td_attributes_* claims.
const (
	AttrDebug          TDAttributes = 1 << 0
	AttrSEPTVEDisable  TDAttributes = 1 << 28
	AttrPKS            TDAttributes = 1 << 30
	AttrKeyLocker      TDAttributes = 1 << 31
	AttrPerfmon        TDAttributes = 1 << 63
	knownAttributeBits              = AttrDebug | AttrSEPTVEDisable | AttrPKS | AttrKeyLocker | AttrPerfmon
)

// attributeBit describes one decoded bit for fields and explanations.
type attributeBit struct {
	Bit   TDAttributes
	Name  string
	Claim string
	Note  string
}

var attributeBits = []attributeBit{
	{AttrDebug, "DEBUG", "tdx_td_attributes_debug", "debug TD: the host can read and write its memory and registers; must be false in production"},
	{AttrSEPTVEDisable, "SEPT_VE_DISABLE", "tdx_td_attributes_septve_disable", "EPT violations on pending pages do not raise #VE in the TD (hardening against host-induced #VE)"},
	{AttrPKS, "PKS", "tdx_td_attributes_protection_keys", "supervisor protection keys available to the TD"},
	{AttrKeyLocker, "KL", "tdx_td_attributes_key_locker", "Key Locker available to the TD"},
	{AttrPerfmon, "PERFMON", "tdx_td_attributes_perfmon", "the TD may use performance monitoring counters"},
}

// Debug, SEPTVEDisable, ProtectionKeys, KeyLocker and Perfmon report single bits.
func (a TDAttributes) Debug() bool          { return a&AttrDebug != 0 }
func (a TDAttributes) SEPTVEDisable() bool  { return a&AttrSEPTVEDisable != 0 }
func (a TDAttributes) ProtectionKeys() bool { return a&AttrPKS != 0 }
func (a TDAttributes) KeyLocker() bool      { return a&AttrKeyLocker != 0 }
func (a TDAttributes) Perfmon() bool        { return a&AttrPerfmon != 0 }

// String lists the set bits by name, "none" when no bit is set.
func (a TDAttributes) String() string {
	var names []string
	for _, b := range attributeBits {
		if a&b.Bit != 0 {
			names = append(names, b.Name)
		}
	}
	if rest := a &^ knownAttributeBits; rest != 0 {
		names = append(names, "other bits 0x"+strconv.FormatUint(uint64(rest), 16))
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, "|")
}
