//go:build unix

// Unix only: it shares hostile_test.go's helpers (certsPEM, simEvidence), which are.

package cli

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/eventlog"
	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/hcl"
	"github.com/cvmscope/cvmscope/attestation/tpmquote"
	"github.com/cvmscope/cvmscope/hw/simcvm/simroots"
	pb "github.com/google/go-tpm-tools/proto/attest"
	tpmpb "github.com/google/go-tpm-tools/proto/tpm"
	"google.golang.org/protobuf/proto"
)

// quotedPCRs lists the quote's SHA-256 PCR values in selection order, as trustee and
// tpm2_pcrread write them.
func quotedPCRs(t *testing.T, s *evidence.Set) (idx []int, vals [][]byte) {
	t.Helper()
	a, err := tpmquote.ParseAttest(s.Quote.Msg)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range a.Selection {
		for _, p := range b.PCRs {
			idx = append(idx, p)
			vals = append(vals, s.PCRs[p])
		}
	}
	return idx, vals
}

func byteArray(b []byte) []int {
	out := make([]int, len(b))
	for i, c := range b {
		out[i] = int(c)
	}
	return out
}

// vcekPEM is the VCEK (the first certificate of the saved chain) as PEM.
func vcekDER(s *evidence.Set) []byte {
	if len(s.Certs) == 0 {
		return nil
	}
	return s.Certs[0]
}

// trusteeJSON writes the evidence an az-snp-vtpm or az-tdx-vtpm attester of that version
// writes (trustee deps/verifier/src/az_*_vtpm/compat.rs).
func trusteeJSON(t *testing.T, s *evidence.Set, version int) []byte {
	t.Helper()
	_, vals := quotedPCRs(t, s)
	snp := s.TEE == evidence.TEESEVSNP
	var doc map[string]any
	if version == 0 {
		var pcrs [][]int
		for _, v := range vals {
			pcrs = append(pcrs, byteArray(v))
		}
		q := map[string]any{"signature": byteArray(s.Quote.Sig), "message": byteArray(s.Quote.Msg), "pcrs": pcrs}
		if snp {
			doc = map[string]any{"quote": q, "report": byteArray(s.HCLReport),
				"vcek": string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: vcekDER(s)}))}
		} else {
			doc = map[string]any{"tpm_quote": q, "hcl_report": byteArray(s.HCLReport), "td_quote": byteArray(s.TDQuote)}
		}
	} else {
		var pcrs []string
		for _, v := range vals {
			pcrs = append(pcrs, hex.EncodeToString(v))
		}
		b64 := base64.URLEncoding.EncodeToString
		doc = map[string]any{"version": version, "hcl_report": b64(s.HCLReport),
			"tpm_quote": map[string]any{"signature": hex.EncodeToString(s.Quote.Sig), "message": hex.EncodeToString(s.Quote.Msg), "pcrs": pcrs}}
		if snp {
			doc["vcek"] = b64(vcekDER(s))
		} else {
			doc["td_quote"] = b64(s.TDQuote)
		}
	}
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// tpmtSignature is what `tpm2_quote -s` writes: TPMT_SIGNATURE, RSASSA with SHA-256.
func tpmtSignature(sig []byte) []byte {
	b := binary.BigEndian.AppendUint16(nil, 0x0014)
	b = binary.BigEndian.AppendUint16(b, 0x000b)
	b = binary.BigEndian.AppendUint16(b, uint16(len(sig)))
	return append(b, sig...)
}

// pcrFile is what `tpm2_quote -o` writes (tpm2-tools' "serialized" format): its C structures
// TPML_PCR_SELECTION, a count and TPML_DIGEST blocks of eight, little-endian.
func pcrFile(idx []int, vals [][]byte) []byte {
	le := binary.LittleEndian
	sel := make([]byte, 4+16*8)
	le.PutUint32(sel, 1)
	le.PutUint16(sel[4:], 0x000b)
	sel[6] = 3
	for _, p := range idx {
		sel[7+p/8] |= 1 << (p % 8)
	}
	blocks := (len(vals) + 7) / 8
	out := le.AppendUint32(sel, uint32(blocks))
	for k := range blocks {
		blk := make([]byte, 4+8*66)
		n := min(8, len(vals)-k*8)
		le.PutUint32(blk, uint32(n))
		for j := range n {
			le.PutUint16(blk[4+j*66:], 32)
			copy(blk[4+j*66+2:], vals[k*8+j])
		}
		out = append(out, blk...)
	}
	return out
}

// goTPMAttestation is go-tpm-tools' pb.Attestation as client.Key.Attest fills it on Azure.
func goTPMAttestation(t *testing.T, s *evidence.Set) []byte {
	t.Helper()
	return goTPM(t, s, []byte{}).([]byte)
}

// goTPM builds the attestation; asProto nil returns the *pb.Attestation itself.
func goTPM(t *testing.T, s *evidence.Set, asProto []byte) any {
	t.Helper()
	idx, vals := quotedPCRs(t, s)
	pcrs := map[uint32][]byte{}
	for i, p := range idx {
		pcrs[uint32(p)] = vals[i]
	}
	a := &pb.Attestation{AkPub: s.AKPub[2:], AkCert: s.AKCert, EventLog: s.EventLog,
		Quotes: []*tpmpb.Quote{{Quote: s.Quote.Msg, RawSig: tpmtSignature(s.Quote.Sig), Pcrs: &tpmpb.PCRs{Hash: tpmpb.HashAlgo_SHA256, Pcrs: pcrs}}}}
	if asProto == nil {
		return a
	}
	out, err := proto.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// constellationDoc is Constellation's attestation document on Azure: encoding/json of
// vtpm.AttestationDocument, whose InstanceInfo is the JSON its Azure issuer writes.
func constellationDoc(t *testing.T, s *evidence.Set, report []byte) []byte {
	t.Helper()
	rep, err := hcl.Parse(s.HCLReport)
	if err != nil {
		t.Fatal(err)
	}
	info := map[string]any{"AttestationReport": report, "RuntimeData": rep.Claims, "MAAToken": ""}
	if s.TEE == evidence.TEESEVSNP {
		info["Vcek"], info["CertChain"] = certsPEM(s.Certs[:1]), certsPEM(s.Certs[1:])
	}
	raw, err := json.Marshal(info)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := json.Marshal(struct {
		Attestation  *pb.Attestation
		InstanceInfo []byte
		UserData     []byte
	}{goTPM(t, s, nil).(*pb.Attestation), raw, nil})
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// inspectOK runs inspect --trust-simulated on files and wants every listed check to pass.
func inspectOK(t *testing.T, what string, paths []string, must ...string) result {
	t.Helper()
	r := runCLI(t, append([]string{"inspect", "--trust-simulated", "-o", "json"}, paths...)...)
	if r.code != 0 {
		var bad []string
		for _, c := range r.report.Checks {
			if c.Verdict == check.Fail {
				bad = append(bad, c.ID+": "+c.Summary)
			}
		}
		t.Errorf("%s: exit %d, failed %s\n%s", what, r.code, strings.Join(bad, "; "), r.stderr)
	}
	for _, id := range must {
		if v := r.verdict(id); v != check.Pass {
			t.Errorf("%s: %s is %s, want pass", what, id, v)
		}
	}
	return r
}

func TestInspectReadsOtherToolsFormats(t *testing.T) {
	for _, tee := range []string{"sevsnp", "tdx"} {
		t.Run(tee, func(t *testing.T) {
			s := simEvidence(t, t.TempDir(), tee)
			dir := t.TempDir()
			hw := "snp.signature"
			if tee == "tdx" {
				hw = "tdx.quote.signature"
			}
			// A quote's AK from a file is data, not an anchor: its certificate, chained to the
			// simulated vTPM root (--trust-simulated), ties it to a TPM.
			akpub := write(t, dir, "ak.pub", s.AKPub)
			akcert := write(t, dir, "ak.crt", s.AKCert)
			for v := 0; v <= 2; v++ {
				p := write(t, dir, "evidence.json", trusteeJSON(t, s, v))
				extra := []string{p}
				if tee == "sevsnp" {
					// The evidence carries the VCEK only; ASK and ARK come with it as they
					// come from AMD.
					extra = append(extra, write(t, dir, "ask-ark.pem", certsPEM(s.Certs[1:])))
				}
				inspectOK(t, "trustee v"+string(rune('0'+v)), extra, "hcl.binding", hw, "tpm.quote.signature", "tpm.quote.pcr-digest")
			}
			idx, vals := quotedPCRs(t, s)
			var pcrs []string
			for _, v := range vals {
				pcrs = append(pcrs, hex.EncodeToString(v))
			}
			tq, _ := json.Marshal(map[string]any{"signature": hex.EncodeToString(s.Quote.Sig), "message": hex.EncodeToString(s.Quote.Msg), "pcrs": pcrs})
			tqFile := write(t, dir, "tpm-quote.json", tq)
			inspectOK(t, "trustee TPM-quote JSON", []string{tqFile, akpub, akcert},
				"tpm.quote.signature", "tpm.quote.pcr-digest", "ak.certificate")
			if r := runCLI(t, "inspect", "--trust-simulated", "-o", "json", tqFile, akpub); r.code != 2 || r.verdict("tpm.quote.signature") != check.Pass ||
				!strings.Contains(failing(r.report.Checks), "the AK that signs the TPM quote (nothing anchors it)") {
				t.Errorf("TPM quote with a bare AK public key: exit %d, %s", r.code, failing(r.report.Checks))
			}

			msg := write(t, dir, "quote.msg", s.Quote.Msg)
			sig := write(t, dir, "quote.sig", tpmtSignature(s.Quote.Sig))
			values := write(t, dir, "pcrs.bin", bytes.Join(vals, nil))
			inspectOK(t, "tpm2_quote -m -s -o", []string{msg, sig, write(t, dir, "quote.pcrs", pcrFile(idx, vals)), akpub, akcert},
				"tpm.quote.signature", "tpm.quote.pcr-digest")
			// tpm2_pcrread -o for PCRs 0-7 is 256 bytes, the size of a raw signature: given
			// before the raw signature, it must still be read as the PCR values.
			raw := write(t, dir, "quote.rawsig", s.Quote.Sig)
			for _, order := range [][]string{{values, raw, msg, akpub, akcert}, {msg, raw, values, akpub, akcert}, {values, sig, msg, akpub, akcert}} {
				inspectOK(t, "tpm2_pcrread -o", order, "tpm.quote.signature", "tpm.quote.pcr-digest")
			}

			inspectOK(t, "go-tpm-tools attestation", []string{write(t, dir, "attestation.pb", goTPMAttestation(t, s))},
				"tpm.quote.signature", "tpm.quote.pcr-digest", "eventlog.replay")

			// Constellation: the hardware report as go-azguestattestation cuts it (SEV-SNP),
			// with the IGVM header as older issuers kept it, or the TD quote (TDX).
			reports := map[string][]byte{"body": s.HCLReport[hcl.HeaderSize:hcl.ClaimsOff]}
			if tee == "sevsnp" {
				reports["SNP report"] = s.HCLReport[hcl.HeaderSize:hcl.IGVMOff]
			} else {
				reports["TD quote"] = s.TDQuote
			}
			for what, report := range reports {
				doc := write(t, dir, "attdoc.json", constellationDoc(t, s, report))
				if tee == "tdx" && what == "body" {
					// The body holds the TDREPORT, which only the TD quote certifies: everything
					// else may pass, but nothing vouches for the report, so the run fails.
					r := runCLI(t, "inspect", "--trust-simulated", "-o", "json", doc)
					if r.code != 2 || r.verdict("evidence.unverified") != check.Fail || r.verdict("tdx.quote.signature") != check.Skip ||
						r.verdict("tpm.quote.signature") != check.Pass {
						t.Errorf("Constellation document with the TDREPORT alone: exit %d, evidence.unverified %s, tdx.quote.signature %s, tpm.quote.signature %s",
							r.code, r.verdict("evidence.unverified"), r.verdict("tdx.quote.signature"), r.verdict("tpm.quote.signature"))
					}
					continue
				}
				must := []string{"tpm.quote.signature", "tpm.quote.pcr-digest", "ak.binding"}
				if tee == "sevsnp" {
					must = append(must, "hcl.binding", "snp.signature", "snp.chain")
				}
				inspectOK(t, "Constellation document with the "+what, []string{doc}, must...)
			}

			rep, err := hcl.Parse(s.HCLReport)
			if err != nil {
				t.Fatal(err)
			}
			body := s.HCLReport[hcl.HeaderSize:hcl.ClaimsOff]
			chain := write(t, dir, "certs.pem", certsPEM(s.Certs))
			bodyFiles := []string{write(t, dir, "hcl-body.bin", body), write(t, dir, "runtime.json", rep.Claims)}
			if tee == "sevsnp" {
				bodyFiles = append(bodyFiles, chain)
			} else {
				bodyFiles = append(bodyFiles, write(t, dir, "td.quote", s.TDQuote))
			}
			inspectOK(t, "HCL body and runtime data", bodyFiles, "hcl.binding", hw)

			// The same readers fail what is wrong: a quote signature flipped inside trustee
			// JSON, and an unreadable file given with good ones fails on its own.
			bad := *s
			bad.Quote = &evidence.Quote{Msg: s.Quote.Msg, Sig: append([]byte(nil), s.Quote.Sig...)}
			bad.Quote.Sig[10] ^= 1
			r := runCLI(t, "inspect", "--trust-simulated", "-o", "json", write(t, dir, "bad.json", trusteeJSON(t, &bad, 1)), chain)
			if r.code != 2 || r.verdict("tpm.quote.signature") != check.Fail || r.verdict(hw) != check.Pass {
				t.Errorf("flipped signature in trustee JSON: exit %d, tpm.quote.signature %s, %s %s", r.code, r.verdict("tpm.quote.signature"), hw, r.verdict(hw))
			}
			r = runCLI(t, "inspect", "--trust-simulated", "-o", "json", write(t, dir, "junk.bin", []byte("not evidence")), msg, sig, values, akpub)
			if r.code != 2 || r.verdict("input.unknown") != check.Fail || r.verdict("tpm.quote.signature") != check.Pass || r.verdict("tpm.quote.pcr-digest") != check.Pass {
				t.Errorf("junk among good files: exit %d, input.unknown %s, signature %s", r.code, r.verdict("input.unknown"), r.verdict("tpm.quote.signature"))
			}
		})
	}
}

// Certificates, CRLs, collateral and an event log given alone each get a verdict.
func TestInspectGivesAloneVerdicts(t *testing.T) {
	s := simEvidence(t, t.TempDir(), "sevsnp")
	dir := t.TempDir()
	certs := write(t, dir, "chain.pem", certsPEM(s.Certs))
	if r := runCLI(t, "inspect", "-o", "json", certs); r.code != 2 || r.verdict("certs.chain") != check.Fail {
		t.Errorf("simulated chain without --trust-simulated: exit %d, certs.chain %s", r.code, r.verdict("certs.chain"))
	}
	inspectOK(t, "simulated chain, trusted", []string{certs}, "certs.chain")
	// A log alone is shown in full (its PCR values in every bank) but nothing signed covers
	// it: exit 2 with evidence.unverified naming what to add.
	r := runCLI(t, "inspect", "--trust-simulated", "-o", "json", write(t, dir, "log.bin", s.EventLog))
	if u := r.report.Checks.Find("evidence.unverified"); r.code != 2 || r.verdict("eventlog.banks") != check.Pass || len(u) != 1 ||
		!strings.Contains(u[0].Summary, "log.bin: the event log (no signature covers it)") || !strings.Contains(u[0].Summary, "TPM quote") {
		t.Errorf("event log alone: exit %d, eventlog.banks %s, evidence.unverified %+v", r.code, r.verdict("eventlog.banks"), u)
	}
	if !strings.Contains(r.stdout, "computed from the event log") {
		t.Error("the PCR table of a log given alone does not show the values the log computes")
	}
	banks, err := eventlog.ReplayBanks(s.EventLog)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range banks {
		found := false
		for _, c := range r.report.Checks {
			found = found || c.ID == "eventlog.banks" && strings.Contains(strings.Join(c.Details, "\n"), b.Name+" PCR0 ")
		}
		if !found {
			t.Errorf("eventlog.banks lists no %s PCR0", b.Name)
		}
	}

	// A CRL given with a report judges the report's chain: the simulated ARK's CRL revoking
	// the ASK fails it, one revoking nothing leaves it standing.
	amd, err := simroots.NewAMD([]byte("formats test"))
	if err != nil {
		t.Fatal(err)
	}
	hclFile := write(t, dir, "hcl.bin", s.HCLReport)
	for _, revoked := range []bool{false, true} {
		var serials []*big.Int
		if revoked {
			serials = append(serials, amd.ASK.SerialNumber)
		}
		crl, err := amd.CRL(time.Now().Add(-time.Hour), serials...)
		if err != nil {
			t.Fatal(err)
		}
		r := runCLI(t, "inspect", "--trust-simulated", "-o", "json", hclFile, certs, write(t, dir, "amd.crl", crl))
		want, code := check.Pass, 0
		if revoked {
			want, code = check.Fail, 2
		}
		if r.code != code || r.verdict("certs.chain") != want || r.verdict("crl.signature") != check.Pass {
			t.Errorf("report with a CRL revoking the ASK %v: exit %d, certs.chain %s, crl.signature %s", revoked, r.code, r.verdict("certs.chain"), r.verdict("crl.signature"))
		}
	}

	real := realDir(t)
	for _, c := range []struct {
		files []string
		now   string
		code  int
		id    string
		want  check.Verdict
	}{
		{[]string{"amd-ask_ark_genoa_vlek.pem"}, "2025-03-01T00:00:00Z", 0, "certs.chain", check.Pass},
		{[]string{"amd-milan-vcek-gosevguest.der"}, "2025-03-01T00:00:00Z", 0, "certs.chain", check.Pass},
		{[]string{"intel-tcb-signing-chain.pem"}, "2025-06-01T00:00:00Z", 2, "certs.chain", check.Fail},
		// Intel's root CA CRL is signed by the built-in root; the PCK CRL needs its issuer's
		// chain, and collateral the TCB signing chain, given alongside: without them, or with
		// another chain, the signature check fails.
		{[]string{"intel-root-ca-crl.der"}, "2025-03-01T00:00:00Z", 0, "crl.signature", check.Pass},
		{[]string{"intel-pck-platform-crl.der"}, "2025-03-01T00:00:00Z", 2, "crl.signature", check.Fail},
		{[]string{"intel-pck-platform-crl.der", "intel-pck-chain-from-aztdx-trustee-6332533d.pem"}, "2025-03-01T00:00:00Z", 0, "crl.signature", check.Pass},
		{[]string{"intel-pck-platform-crl.der", "intel-tcb-signing-chain.pem"}, "2025-03-01T00:00:00Z", 2, "crl.signature", check.Fail},
		{[]string{"intel-pck-platform-crl.der", "intel-pck-chain-from-aztdx-trustee-6332533d.pem"}, "2026-01-01T00:00:00Z", 2, "crl.fresh", check.Fail},
		{[]string{"intel-tdx-tcbinfo-00806f050000.json", "intel-tdx-qeidentity.json", "intel-tcb-signing-chain.pem"}, "2025-03-01T00:00:00Z", 0, "tdx.collateral.signature", check.Pass},
		{[]string{"intel-tdx-tcbinfo-00806f050000.json"}, "2025-03-01T00:00:00Z", 2, "tdx.collateral.signature", check.Fail},
		{[]string{"intel-tdx-qeidentity.json"}, "2025-03-01T00:00:00Z", 2, "tdx.collateral.signature", check.Fail},
		{[]string{"intel-tdx-tcbinfo-00806f050000.json", "intel-pck-chain-from-aztdx-trustee-6332533d.pem"}, "2025-03-01T00:00:00Z", 2, "tdx.collateral.signature", check.Fail},
	} {
		r := runCLI(t, append([]string{"inspect", "-o", "json", "--now", c.now}, files(real, c.files...)...)...)
		if r.code != c.code || r.verdict(c.id) != c.want {
			t.Errorf("%v at %s: exit %d, %s %s; want exit %d, %s", c.files, c.now, r.code, c.id, r.verdict(c.id), c.code, c.want)
		}
	}
	// The failure says, in either language, which file to give.
	for lang, want := range map[string]string{"en": "give Intel's TCB signing chain as a PEM file alongside (Intel PCS's TCB-Info-Issuer-Chain header", "ko": "Intel TCB 서명 체인을 PEM 파일로 함께 줍니다(Intel PCS의 TCB-Info-Issuer-Chain 헤더"} {
		r := runCLI(t, append([]string{"inspect", "-o", "text", "--lang", lang, "--now", "2025-03-01T00:00:00Z"}, files(real, "intel-tdx-tcbinfo-00806f050000.json")...)...)
		if r.code != 2 || !strings.Contains(r.stdout, want) {
			t.Errorf("TCB info alone, --lang %s: exit %d, want %q in\n%s", lang, r.code, want, r.stdout)
		}
	}
}
