package snp

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/google/go-sev-guest/abi"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/fault"
)

// Check IDs of the strictness checks (protocol §15).
const (
	IDBinding   = "snp.vcek-binding"
	IDStructure = "snp.structure"
)

// AMD's VCEK/VLEK extensions live under 1.3.6.1.4.1.3704.1 (protocol §15.1).
var amdExtPrefix = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 3704, 1}

// keyExts are the AMD extensions of a VCEK or VLEK certificate, read without go-sev-guest:
// its kds package knows neither Turin's fmcSPL (.3.9) nor Turin's 8-byte hwID.
type keyExts struct {
	product string
	spl     map[int]int // .3.N → value, only the ones present
	hwID    []byte
	cspID   string
	hasHWID bool
}

// readKeyExts decodes the extensions. Values are DER INTEGERs in 0..255 (Microsoft's
// verifier accepts only those); hwID is raw bytes, or an OCTET STRING some tools write.
func readKeyExts(c *x509.Certificate) (keyExts, error) {
	e := keyExts{spl: map[int]int{}}
	for _, x := range c.Extensions {
		id := x.Id
		if len(id) < len(amdExtPrefix)+1 || !id[:len(amdExtPrefix)].Equal(amdExtPrefix) {
			continue
		}
		sub := id[len(amdExtPrefix):]
		switch {
		case len(sub) == 1 && sub[0] == 2:
			var s string
			if _, err := asn1.UnmarshalWithParams(x.Value, &s, "ia5"); err != nil {
				return e, koErr("productName (.2) is not an IA5String: %v", "productName(.2)이 IA5String이 아닙니다: %v", err)
			}
			e.product = s
		case len(sub) == 2 && sub[0] == 3:
			var v int
			if rest, err := asn1.Unmarshal(x.Value, &v); err != nil || len(rest) > 0 || v < 0 || v > 255 {
				return e, koErr("TCB extension .3.%d is not a DER INTEGER in 0-255", "TCB 확장 .3.%d이 0-255의 DER INTEGER가 아닙니다", sub[1])
			}
			e.spl[sub[1]] = v
		case len(sub) == 1 && sub[0] == 4:
			e.hasHWID, e.hwID = true, x.Value
			var inner []byte
			if rest, err := asn1.Unmarshal(x.Value, &inner); err == nil && len(rest) == 0 && (len(inner) == 64 || len(inner) == 8) && len(x.Value) != 64 && len(x.Value) != 8 {
				e.hwID = inner
			}
		case len(sub) == 1 && sub[0] == 5:
			var s string
			if _, err := asn1.UnmarshalWithParams(x.Value, &s, "ia5"); err != nil {
				s = string(x.Value)
			}
			e.cspID = s
		}
	}
	return e, nil
}

// splName names the TCB extensions; the reserved ones (.3.4-.3.7) have no name.
var splName = map[int]string{1: "blSPL", 2: "teeSPL", 3: "snpSPL", 8: "ucodeSPL", 9: "fmcSPL"}

// Binding is snp.vcek-binding: the key certificate is the one for this report. Only
// reported_tcb is bound (a VCEK is issued for the TCB the firmware reports, which may lag
// the current one); the chip id for a VCEK (a VLEK is per cloud provider and has none);
// the product line. Protocol §15.1 gives the byte-to-extension table, Turin's included.
func Binding(r *Report, leaf *x509.Certificate) check.Check {
	key := r.SigningKey()
	if leaf == nil || key == abi.NoneReportSigner {
		return check.Skipf(IDBinding, "no %v certificate to compare with the report", key).
			KO("보고서와 비교할 %v 인증서가 없습니다", key)
	}
	var bad []detail
	fail := func(en, ko string, a ...any) { bad = append(bad, detail{fmt.Sprintf(en, a...), fmt.Sprintf(ko, a...)}) }
	e, err := readKeyExts(leaf)
	if err != nil {
		return check.Failf(IDBinding, "the %v's AMD extensions do not decode: %v", key, err).
			KO("%v의 AMD 확장을 해석할 수 없습니다: %s", key, inKO(err))
	}
	wantCN := "SEV-VCEK"
	if key == abi.VlekReportSigner {
		wantCN = "SEV-VLEK"
	}
	if leaf.Subject.CommonName != wantCN {
		fail("the report is signed by a %v (key_info) but the certificate's subject is %q, not %q", "보고서는 %v로 서명되었지만(key_info) 인증서의 주체는 %q이며 %q가 아닙니다", key, leaf.Subject.CommonName, wantCN)
	}

	// Product: productName "Milan-B0" names the line; the report's CPUID (v3+) must agree.
	certLine, _, _ := strings.Cut(e.product, "-")
	turin := certLine == "Turin"
	switch pl := r.ProductLine(); {
	case e.product == "":
		fail("the certificate has no productName extension (.2)", "인증서에 productName 확장(.2)이 없습니다")
	case pl != "" && pl != certLine:
		fail("the report's CPUID says %s but the certificate is for %q", "보고서의 CPUID는 %s이지만 인증서는 %q용입니다", pl, e.product)
	case !strings.HasSuffix(leaf.Issuer.CommonName, "-"+certLine):
		fail("the certificate for %q is issued by %q, not by SEV-[VLEK-]%s", "%q용 인증서의 발급자가 %q이며 SEV-[VLEK-]%s가 아닙니다", e.product, leaf.Issuer.CommonName, certLine)
	}

	// TCB: each named SPL equals its reported_tcb byte; reserved bytes are zero.
	tcb := r.Proto.GetReportedTcb()
	b := func(i int) int { return int(uint8(tcb >> (8 * i))) }
	byteOf := map[int]int{1: 0, 2: 1, 3: 6, 8: 7}
	reservedBytes := []int{2, 3, 4, 5}
	if turin {
		byteOf = map[int]int{9: 0, 1: 1, 2: 2, 3: 3, 8: 7}
		reservedBytes = []int{4, 5, 6}
	} else if _, ok := e.spl[9]; ok {
		fail("fmcSPL (.3.9) is present on a %q certificate; only Turin has an FMC", "%q 인증서에 fmcSPL(.3.9)이 있습니다. FMC는 Turin에만 있습니다", e.product)
	}
	var parts []string
	for _, n := range []int{9, 1, 2, 3, 8} {
		i, ok := byteOf[n]
		if !ok {
			continue
		}
		v, has := e.spl[n]
		switch {
		case !has:
			fail("the certificate has no %s (.3.%d); reported_tcb byte %d is %d", "인증서에 %s(.3.%d)이 없습니다. reported_tcb 바이트 %d은 %d입니다", splName[n], n, i, b(i))
		case v != b(i):
			fail("%s (.3.%d) is %d but reported_tcb byte %d is %d", "%s(.3.%d)은 %d이지만 reported_tcb 바이트 %d은 %d입니다", splName[n], n, v, i, b(i))
		default:
			parts = append(parts, fmt.Sprintf("%s %d", splName[n], v))
		}
	}
	for n := 4; n <= 7; n++ {
		if v, ok := e.spl[n]; ok && v != 0 {
			fail("reserved TCB extension .3.%d is %d, not 0", "예약된 TCB 확장 .3.%d이 0이 아니라 %d입니다", n, v)
		}
	}
	for _, i := range reservedBytes {
		if b(i) != 0 {
			fail("reported_tcb byte %d is %d; it is reserved for %s and must be 0", "reported_tcb 바이트 %d이 %d입니다. %s에서는 예약된 바이트이므로 0이어야 합니다", i, b(i), certLine)
		}
	}

	// Chip: a VCEK names its chip (hwID); a VLEK names its cloud provider instead.
	chip := r.ChipID()
	var chipEN, chipKO string
	switch {
	case key == abi.VlekReportSigner:
		if e.hasHWID {
			fail("a VLEK must not carry a hwID (.4)", "VLEK에는 hwID(.4)가 없어야 합니다")
		}
		chipEN, chipKO = fmt.Sprintf("VLEK for cloud provider %q: no chip id to bind (VLEKs are per provider)", e.cspID),
			fmt.Sprintf("클라우드 공급자 %q의 VLEK: 묶을 칩 ID가 없습니다(VLEK는 공급자 단위입니다)", e.cspID)
	case !e.hasHWID:
		fail("the VCEK has no hwID extension (.4)", "VCEK에 hwID 확장(.4)이 없습니다")
	case bytes.Equal(chip, make([]byte, 64)):
		fail("the report's chip_id is all zero (masked by policy); the VCEK cannot be tied to a chip", "보고서의 chip_id가 모두 0입니다(정책으로 가려짐). VCEK를 칩에 묶을 수 없습니다")
	case turin && !(bytes.Equal(e.hwID, chip[:8]) && bytes.Equal(chip[8:], make([]byte, 56))):
		fail("Turin hwID %x is not chip_id[0:8] %x with the rest zero", "Turin hwID %x가 chip_id[0:8] %x(나머지는 0)와 다릅니다", e.hwID, chip[:8])
	case !turin && !bytes.Equal(e.hwID, chip):
		fail("the VCEK's hwID %s… is not the report's chip_id %s…: the VCEK belongs to another chip", "VCEK의 hwID %s…가 보고서의 chip_id %s…와 다릅니다. 다른 칩의 VCEK입니다", hex.EncodeToString(head(e.hwID)), hex.EncodeToString(chip[:8]))
	default:
		chipEN, chipKO = "hwID equals chip_id "+hex.EncodeToString(chip[:8])+"…", "hwID가 chip_id "+hex.EncodeToString(chip[:8])+"…와 같습니다"
	}

	if len(bad) > 0 {
		c := check.Failf(IDBinding, "the %v is not the one for this report: %s", key, bad[0].en).
			KO("이 보고서의 %v가 아닙니다: %s", key, bad[0].ko)
		for _, d := range bad[1:] {
			c = c.WithDetail(d.en, d.ko)
		}
		return c
	}
	tcbs := strings.Join(parts, ", ")
	return check.Passf(IDBinding, "the %v is this report's: reported_tcb 0x%016x equals its TCB extensions (%s), %s, product %s; scope: binds reported_tcb only (not current or committed TCB), no minimum TCB and no revocation judged",
		key, tcb, tcbs, chipEN, e.product).
		KO("%v가 이 보고서의 것입니다: reported_tcb 0x%016x가 TCB 확장(%s)과 같고, %s, 제품 %q입니다. 범위: reported_tcb만 묶으며(current_tcb, committed_tcb는 아님) 최소 TCB와 폐기 여부는 판정하지 않습니다",
			key, tcb, tcbs, chipKO, e.product)
}

func head(b []byte) []byte { return b[:min(8, len(b))] }

// detail is one line in English and Korean.
type detail struct{ en, ko string }

func inKO(err error) string {
	msg, _ := fault.MessageIn(err, "ko")
	return msg
}
