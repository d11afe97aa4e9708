package maaemu

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/eventlog"
	"github.com/cvmscope/cvmscope/attestation/hcl"
	"github.com/cvmscope/cvmscope/attestation/snp"
	"github.com/cvmscope/cvmscope/attestation/tdx"
	"github.com/google/go-eventlog/tcg"
)

// Every claim below is read from verified evidence (protocol §6). Where the evidence a
// Linux guest sends cannot show a value, the claim is a reasoned default and the comment
// says so.

const (
	compliant = "azure-compliant-cvm"
	// eatProfileTDX is the profile MAA names in TdxVm tokens (MS-DOC TDX EAT profile).
	eatProfileTDX = "https://aka.ms/maa-eat-profile-tdxvm"
)

// guestClaims builds an AzureGuest token's claims (§6.1-6.4).
func (s *Server) guestClaims(ev *guestEvidence, base string, now time.Time) (map[string]any, error) {
	rg := ev.req
	r := &rg.Request
	c := map[string]any{"x-ms-attestation-type": "azurevm"}
	if err := s.timeClaims(c, "AzureGuest", base, now); err != nil {
		return nil, err
	}
	c["x-ms-azurevm-attestation-protocol-ver"] = rg.ProtocolVersion
	c["x-ms-azurevm-attested-pcrs"] = append([]int{}, ev.pcrs...)
	c["x-ms-azurevm-ostype"] = r.OS.Type
	c["x-ms-azurevm-osdistro"] = r.OS.Distro
	c["x-ms-azurevm-osbuild"] = r.OS.Build
	c["x-ms-azurevm-osversion-major"] = r.OS.VersionMajor
	c["x-ms-azurevm-osversion-minor"] = r.OS.VersionMinor
	c["x-ms-azurevm-is-windows"] = strings.EqualFold(r.OS.Type, "Windows")
	for k, v := range bootClaims(ev.res.Log, replayedPCRs(ev.res.Checks)) {
		c[k] = v
	}
	if id := vmID(ev); id != "" {
		c["x-ms-azurevm-vmid"] = id
	}
	runtime := map[string]any{
		"keys": []hcl.JWK{hcl.NewJWK("TpmEphemeralEncryptionKey", []string{"encrypt"}, ev.encKey)},
	}
	// client-payload appears only when the client sent one, as in MAA's tokens.
	if len(rg.ClientPayload) > 0 {
		payload := map[string]json.RawMessage{}
		for k, v := range rg.ClientPayload {
			payload[k] = v
		}
		runtime["client-payload"] = payload
	}
	c["x-ms-runtime"] = runtime
	switch {
	case ev.res.SNP != nil:
		tee := snpClaims(ev.res.SNP)
		tee["x-ms-attestation-type"] = "sevsnpvm"
		addRuntime(tee, ev.runtime)
		c["x-ms-isolation-tee"] = tee
	case ev.tdQuote != nil:
		tee := tdxClaims(ev.tdQuote)
		s.tcbStatus(tee, ev.tdQuote, now)
		tee["x-ms-attestation-type"] = "tdxvm"
		addRuntime(tee, ev.runtime)
		c["x-ms-isolation-tee"] = tee
	}
	return c, nil
}

// platformClaims builds the flat SevSnpVm or TdxVm claims (§6.5).
func (s *Server) platformClaims(ev *platformEvidence, kind, base string, now time.Time) (map[string]any, error) {
	var c map[string]any
	if ev.snp != nil {
		c = snpClaims(ev.snp)
		c["x-ms-attestation-type"] = "sevsnpvm"
	} else {
		c = tdxClaims(ev.tdQuote)
		s.tcbStatus(c, ev.tdQuote, now)
		c["x-ms-attestation-type"] = "tdxvm"
	}
	if err := s.timeClaims(c, kind, base, now); err != nil {
		return nil, err
	}
	addRuntime(c, ev.claimsJSON)
	p := ev.req
	if len(p.InitTimeData) > 0 {
		if runtimeJSON(p.InitTimeData, p.InitTimeDataType) {
			c["x-ms-inittime"] = json.RawMessage(compactJSON(p.InitTimeData))
		} else {
			// [UNSURE] how MAA shows binary init-time data; its hex keeps it readable.
			c["x-ms-inittime"] = hex.EncodeToString(p.InitTimeData)
		}
	}
	if p.Nonce != "" {
		c["nonce"] = p.Nonce // an untransformed copy (claim-sets.md)
	}
	return c, nil
}

// addRuntime puts the runtime claims, exactly as the paravisor wrote them, in x-ms-runtime.
func addRuntime(c map[string]any, runtime []byte) {
	if len(runtime) > 0 && json.Valid(runtime) {
		c["x-ms-runtime"] = json.RawMessage(compactJSON(runtime))
	}
}

func compactJSON(b []byte) []byte {
	var buf bytes.Buffer
	if json.Compact(&buf, b) != nil {
		return b
	}
	return buf.Bytes()
}

// snpClaims are the x-ms-sevsnpvm-* claims, lower-case hex at full field width (§6.3). The
// SVNs come from reported_tcb, the TCB the VCEK is issued for ([UNSURE] which TCB MAA uses).
func snpClaims(r *snp.Report) map[string]any {
	b := r.Raw
	h := func(off, n int) string { return hex.EncodeToString(b[off : off+n]) }
	pol := r.Policy()
	tcb := r.ReportedTCB()
	c := map[string]any{
		"x-ms-sevsnpvm-authorkeydigest":   h(0x110, 48),
		"x-ms-sevsnpvm-bootloader-svn":    int(tcb.Bootloader),
		"x-ms-sevsnpvm-familyId":          h(0x010, 16),
		"x-ms-sevsnpvm-guestsvn":          int(binary.LittleEndian.Uint32(b[0x004:])),
		"x-ms-sevsnpvm-hostdata":          h(0x0C0, 32),
		"x-ms-sevsnpvm-idkeydigest":       h(0x0E0, 48),
		"x-ms-sevsnpvm-imageId":           h(0x020, 16),
		"x-ms-sevsnpvm-is-debuggable":     pol.Debug,
		"x-ms-sevsnpvm-launchmeasurement": h(0x090, 48),
		"x-ms-sevsnpvm-microcode-svn":     int(tcb.Microcode),
		"x-ms-sevsnpvm-migration-allowed": pol.MigrateMA,
		"x-ms-sevsnpvm-reportdata":        h(0x050, 64),
		"x-ms-sevsnpvm-reportid":          h(0x140, 32),
		"x-ms-sevsnpvm-smt-allowed":       pol.SMT,
		"x-ms-sevsnpvm-snpfw-svn":         int(tcb.SNP),
		"x-ms-sevsnpvm-tee-svn":           int(tcb.TEE),
		"x-ms-sevsnpvm-vmpl":              int(r.VMPL()),
	}
	// The signature and chain verified before claims are made; what is left for
	// compliance is what MAA's guidance asks of a CVM: not debuggable, and the report
	// requested by the paravisor at VMPL 0. A non-compliant report gets no status claim
	// ([UNSURE] which value MAA writes then), so a verifier's x-ms-compliance-status check fails.
	if !pol.Debug && r.VMPL() == 0 {
		c["x-ms-compliance-status"] = compliant
	}
	return c
}

// tdxClaims are the tdx_* claims of the TD quote body (§6.5), with the names, widths and
// decodings package tdx attaches to each field.
func tdxClaims(q *tdx.Quote) map[string]any {
	c := map[string]any{
		"eat_profile": eatProfileTDX,
		"intuse":      "generic",
	}
	for _, f := range q.Fields() {
		switch {
		case f.Claim == "":
		case f.Claim == "tdx_seamsvn":
			if n, err := strconv.Atoi(f.Value); err == nil {
				c[f.Claim] = n
			}
		case strings.HasPrefix(f.Claim, "tdx_td_attributes_"):
			c[f.Claim] = f.Value == "true"
		default:
			c[f.Claim] = f.Value
		}
	}
	debug := false
	if body := q.Proto.GetTdQuoteBody(); body != nil && len(body.GetTdAttributes()) == 8 {
		debug = tdx.TDAttributes(binary.LittleEndian.Uint64(body.GetTdAttributes())).Debug()
	}
	c["dbgstat"] = "disabled"
	if debug {
		c["dbgstat"] = "enabled" // [UNSURE] the EAT profile only shows "disabled"
	}
	if !debug {
		c["x-ms-compliance-status"] = compliant
	}
	return c
}

// tcbStatus sets attester_tcb_status, Intel's verdict on the quote's TCB from the signed
// collateral in the anchors (MS-DOC TDX EAT profile). Without collateral, or when it is
// not acceptable at now, the claim is left out rather than invented.
func (s *Server) tcbStatus(c map[string]any, q *tdx.Quote, now time.Time) {
	if s.cfg.Anchors.TDXCollateral == nil {
		return
	}
	col := s.cfg.Anchors.TDXCollateral()
	if col == nil {
		return
	}
	if st, err := tdx.TCBStatus(q, tdx.Options{Now: now, Collateral: col, TrustedRoots: s.trust.pckPool()}); err == nil {
		c["attester_tcb_status"] = st
	}
}

// replayedPCRs are the PCRs whose event-log replay matched the quoted value: only their
// events may become claims.
func replayedPCRs(l check.List) map[int]bool {
	ok := map[int]bool{}
	for _, c := range l.Find(eventlog.CheckReplay) {
		if c.Verdict != check.Pass {
			continue
		}
		if n, err := strconv.Atoi(strings.TrimPrefix(c.Subject, "PCR")); err == nil {
			ok[n] = true
		}
	}
	return ok
}

// vmID is vmUniqueId from the runtime claims, upper-cased as Azure writes it. A Trusted
// Launch VM has no runtime claims; its AK certificate, which the vTPM CA issued for this VM
// and which verified, names the VM id in its CN ("<vm id>.TrustedVM…").
func vmID(ev *guestEvidence) string {
	if ev.res.Claims != nil && ev.res.Claims.VMConfig.VMUniqueID != "" {
		return strings.ToUpper(ev.res.Claims.VMConfig.VMUniqueID)
	}
	if ev.res.AKCert != nil {
		if id, _, ok := strings.Cut(ev.res.AKCert.Subject.CommonName, "."); ok {
			return strings.ToUpper(id)
		}
	}
	return ""
}

// UEFI GUIDs, lower-case as go-eventlog prints them.
const (
	efiGlobalVariable  = "8be4df61-93ca-11d2-aa0d-00e098032b8c"
	efiImageSecurityDB = "d719b2cb-3d3a-4596-a3bc-dad00e67656f"
	microsoftOwner     = "77fa9abd-0359-4d32-bd60-28f4e78f784b"
)

// kernelDebugArgs are kernel command-line options that enable a kernel debugger.
var kernelDebugArgs = []string{"kgdboc=", "kgdbwait", "kgdbdbgp=", "kgdbcon", "ekgdboc="}

// bootClaims reads the Secure Boot and debug claims from the event log, using only events
// of PCRs whose replay matched the signed quote.
func bootClaims(l *eventlog.Log, replayed map[int]bool) map[string]any {
	var secureBoot, dbOK, dbxOK, pkMS, kekMS, kernelDebug bool
	if l != nil {
		for e := range l.Events() {
			if !replayed[e.PCR] {
				continue
			}
			switch {
			case e.PCR == 7 && e.Type == uint32(tcg.EFIVariableDriverConfig):
				// The replay covers the digests only; the data is the guest's word until its
				// hash is the digest that was extended (the PC Client spec hashes the whole
				// UEFI_VARIABLE_DATA for these events).
				if !digestOf(e, e.Data) {
					continue
				}
				v, err := tcg.ParseUEFIVariableData(bytes.NewReader(e.Data))
				if err != nil {
					continue
				}
				vendor, name := v.Header.VariableName.String(), v.VarName()
				switch {
				case vendor == efiGlobalVariable && name == "SecureBoot":
					secureBoot = len(v.VariableData) > 0 && v.VariableData[0] == 1
				case vendor == efiGlobalVariable && name == "PK":
					pkMS = allOwnedBy(v.VariableData, microsoftOwner)
				case vendor == efiGlobalVariable && name == "KEK":
					kekMS = allOwnedBy(v.VariableData, microsoftOwner)
				case vendor == efiImageSecurityDB && name == "db":
					dbOK = validSignatureLists(v.VariableData)
				case vendor == efiImageSecurityDB && name == "dbx":
					dbxOK = validSignatureLists(v.VariableData)
				}
			case e.PCR == 8 && e.Type == uint32(tcg.Ipl):
				// GRUB measures the command line it boots ("kernel_cmdline: …") into PCR8.
				// Linux guests quote PCRs 0-7, so this counts only when PCR8 was quoted.
				// GRUB extends the hash of the text after "kernel_cmdline: ".
				if cmd, ok := strings.CutPrefix(string(bytes.TrimRight(e.Data, "\x00")), "kernel_cmdline: "); ok && digestOf(e, []byte(cmd)) {
					for _, arg := range strings.Fields(cmd) {
						for _, d := range kernelDebugArgs {
							if arg == d || strings.HasPrefix(arg, d) {
								kernelDebug = true
							}
						}
					}
				}
			}
		}
	}
	// Boot and hypervisor debugging are Windows boot-configuration settings that Windows
	// measures as SIPA events; a Linux log has no counterpart, and the Linux boot chain on
	// Azure offers no such switch, so they are reasoned defaults (false).
	bootDebug, hypervisorDebug := false, false
	return map[string]any{
		"secureboot": secureBoot,
		// What MAA validates db and dbx against is not documented. Here: Secure Boot on,
		// and the variable measured into the replayed PCR7 as well-formed signature lists.
		"x-ms-azurevm-dbvalidated":  secureBoot && dbOK,
		"x-ms-azurevm-dbxvalidated": secureBoot && dbxOK,
		// Default keys: Secure Boot on and every PK and KEK entry owned by Microsoft's
		// GUID, as Azure's default Secure Boot template has them.
		"x-ms-azurevm-default-securebootkeysvalidated": secureBoot && pkMS && kekMS,
		"x-ms-azurevm-bootdebug-enabled":               bootDebug,
		"x-ms-azurevm-kerneldebug-enabled":             kernelDebug,
		"x-ms-azurevm-hypervisordebug-enabled":         hypervisorDebug,
		"x-ms-azurevm-debuggersdisabled":               !bootDebug && !kernelDebug && !hypervisorDebug,
		// Windows code-integrity settings, measured only by Windows (SIPA events); for a
		// Linux guest MAA shows these same neutral values (§6.2), reasoned defaults here.
		"x-ms-azurevm-elam-enabled":          false,
		"x-ms-azurevm-flightsigning-enabled": false,
		"x-ms-azurevm-testsigning-enabled":   false,
		"x-ms-azurevm-hvci-policy":           0,
		// true in every healthy sample; read here as "test signing is not enabled" [UNSURE].
		"x-ms-azurevm-signingdisabled": true,
	}
}

// digestOf says whether the event's SHA-256 digest is the hash of b.
func digestOf(e eventlog.Event, b []byte) bool {
	sum := sha256.Sum256(b)
	return bytes.Equal(e.Digest, sum[:])
}

// signatureEntries walks EFI_SIGNATURE_LISTs and returns each entry's owner GUID; ok is
// false when a size field is inconsistent. Sizes are checked before use: the data is the
// guest's.
func signatureEntries(val []byte) (owners []string, ok bool) {
	for off := 0; off < len(val); {
		if len(val)-off < 28 {
			return nil, false
		}
		listSize := int(binary.LittleEndian.Uint32(val[off+16:]))
		headerSize := int(binary.LittleEndian.Uint32(val[off+20:]))
		sigSize := int(binary.LittleEndian.Uint32(val[off+24:]))
		if listSize < 28 || listSize > len(val)-off || sigSize < 16 || headerSize > listSize-28 || (listSize-28-headerSize)%sigSize != 0 {
			return nil, false
		}
		for e := off + 28 + headerSize; e < off+listSize; e += sigSize {
			owners = append(owners, guidString(val[e:e+16]))
		}
		off += listSize
	}
	return owners, true
}

func validSignatureLists(val []byte) bool {
	owners, ok := signatureEntries(val)
	return ok && len(owners) > 0
}

func allOwnedBy(val []byte, owner string) bool {
	owners, ok := signatureEntries(val)
	if !ok || len(owners) == 0 {
		return false
	}
	for _, o := range owners {
		if o != owner {
			return false
		}
	}
	return true
}

// guidString formats an EFI_GUID (little-endian first three fields).
func guidString(b []byte) string {
	return fmt.Sprintf("%08x-%04x-%04x-%x-%x", binary.LittleEndian.Uint32(b), binary.LittleEndian.Uint16(b[4:]),
		binary.LittleEndian.Uint16(b[6:]), b[8:10], b[10:16])
}

// ClaimsSupported lists every claim the emulator issues, at the top level or inside
// x-ms-isolation-tee, for the OpenID metadata's claims_supported (sorted).
func ClaimsSupported() []string { return slices.Clone(claimsSupported()) }

// claimsSupported is worked out on first use, not at init: it builds the boot and SEV-SNP
// claims of an empty report and sorts them, which every process paid for, not only the
// emulator's metadata endpoint.
var claimsSupported = sync.OnceValue(func() []string {
	l := []string{
		"iss", "iat", "nbf", "exp", "jti", "nonce", "secureboot", "x-ms-ver", "x-ms-attestation-type",
		"x-ms-policy-hash", "x-ms-runtime", "x-ms-inittime", "x-ms-isolation-tee", "x-ms-compliance-status",
		"x-ms-azurevm-attestation-protocol-ver", "x-ms-azurevm-attested-pcrs", "x-ms-azurevm-ostype",
		"x-ms-azurevm-osdistro", "x-ms-azurevm-osbuild", "x-ms-azurevm-osversion-major",
		"x-ms-azurevm-osversion-minor", "x-ms-azurevm-is-windows", "x-ms-azurevm-vmid",
		"eat_profile", "intuse", "dbgstat", "attester_tcb_status",
		"tdx_mrconfigid", "tdx_mrowner", "tdx_mrownerconfig", "tdx_mrseam", "tdx_mrsignerseam", "tdx_mrtd",
		"tdx_report_data", "tdx_rtmr0", "tdx_rtmr1", "tdx_rtmr2", "tdx_rtmr3", "tdx_seam_attributes",
		"tdx_seamsvn", "tdx_td_attributes", "tdx_td_attributes_debug", "tdx_td_attributes_key_locker",
		"tdx_td_attributes_perfmon", "tdx_td_attributes_protection_keys", "tdx_td_attributes_septve_disable",
		"tdx_tee_tcb_svn", "tdx_xfam",
	}
	for k := range bootClaims(nil, nil) {
		l = append(l, k)
	}
	for k := range snpClaims(&snp.Report{Raw: make([]byte, snp.Size)}) {
		l = append(l, k)
	}
	slices.Sort(l)
	return slices.Compact(l)
})
