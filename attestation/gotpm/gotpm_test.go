package gotpm

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	pb "github.com/google/go-tpm-tools/proto/attest"
	tpmpb "github.com/google/go-tpm-tools/proto/tpm"
	"google.golang.org/protobuf/proto"
)

func tpmtSig(raw []byte) []byte {
	return append([]byte{0, 0x14, 0, 0x0b, byte(len(raw) >> 8), byte(len(raw))}, raw...)
}

func attestation(t testing.TB, mutate func(*pb.Attestation)) []byte {
	t.Helper()
	msg := append([]byte{0xff, 0x54, 0x43, 0x47, 0x80, 0x18}, 1, 2, 3)
	a := &pb.Attestation{AkPub: []byte{0, 1, 0, 0x0b}, AkCert: []byte{0x30, 0x82}, EventLog: []byte("log"),
		Quotes: []*tpmpb.Quote{
			{Quote: msg, RawSig: tpmtSig(bytes.Repeat([]byte{9}, 256)), Pcrs: &tpmpb.PCRs{Hash: tpmpb.HashAlgo_SHA1, Pcrs: map[uint32][]byte{0: make([]byte, 20)}}},
			{Quote: msg, RawSig: tpmtSig(bytes.Repeat([]byte{7}, 256)), Pcrs: &tpmpb.PCRs{Hash: tpmpb.HashAlgo_SHA256, Pcrs: map[uint32][]byte{0: make([]byte, 32), 7: bytes.Repeat([]byte{1}, 32)}}},
		}}
	if mutate != nil {
		mutate(a)
	}
	b, err := proto.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseTakesTheSHA256Quote(t *testing.T) {
	b := attestation(t, nil)
	if !Looks(b) {
		t.Fatal("not recognised")
	}
	a, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if a.Quotes != 2 || !bytes.Equal(a.Sig, bytes.Repeat([]byte{7}, 256)) || len(a.PCRs) != 2 || !bytes.Equal(a.PCRs[7], bytes.Repeat([]byte{1}, 32)) {
		t.Errorf("read %+v", a)
	}
	if string(a.EventLog) != "log" || len(a.AKCert) != 2 || len(a.AKPub) != 4 {
		t.Errorf("AK, certificate or log lost: %+v", a)
	}
}

func TestParseErrors(t *testing.T) {
	for name, c := range map[string]struct {
		b    []byte
		want string
	}{
		"no sha256 quote": {attestation(t, func(a *pb.Attestation) { a.Quotes = a.Quotes[:1] }), "SHA-256"},
		"no AK":           {attestation(t, func(a *pb.Attestation) { a.AkPub = nil }), "ak_pub"},
		"bad signature":   {attestation(t, func(a *pb.Attestation) { a.Quotes[1].RawSig = []byte{1, 2, 3} }), "raw_sig"},
		"short PCR":       {attestation(t, func(a *pb.Attestation) { a.Quotes[1].Pcrs.Pcrs[3] = []byte{1} }), "PCR 3"},
		"cut short":       {attestation(t, nil)[:40], "protobuf"},
	} {
		if _, err := Parse(c.b); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
	}
	if Looks([]byte("definitely not a protobuf")) {
		t.Error("text taken for an attestation")
	}
}

func FuzzParse(f *testing.F) {
	f.Add(attestation(f, nil))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := Parse(b)
		if err == nil && (len(a.AKPub) == 0 || len(a.Msg) == 0 && len(a.Sig) == 0 && a.Quotes == 0) {
			t.Fatalf("accepted without AK or quote: %+v", a)
		}
		_ = Looks(b)
	})
}

func document(t testing.TB, info string) []byte {
	t.Helper()
	var a pb.Attestation
	if err := proto.Unmarshal(attestation(t, nil), &a); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(struct {
		Attestation  *pb.Attestation
		InstanceInfo []byte
	}{&a, []byte(info)})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseDocument(t *testing.T) {
	doc := document(t, `{"AttestationReport":"AgAAAA==","RuntimeData":"e30=","Vcek":"","CertChain":"","MAAToken":"eyJ"}`)
	var m map[string]json.RawMessage
	if err := json.Unmarshal(doc, &m); err != nil || !IsDocument(m) {
		t.Fatal("not recognised as a Constellation document")
	}
	d, err := ParseDocument(doc)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Report) != 4 || string(d.RuntimeClaims) != "{}" || d.Token != "eyJ" || len(d.PCRs) != 2 {
		t.Errorf("read %+v", d)
	}
	for name, c := range map[string]struct {
		b    []byte
		want string
	}{
		"no report":     {document(t, `{"RuntimeData":"e30="}`), "AttestationReport"},
		"info not JSON": {document(t, `nope`), "InstanceInfo"},
		"cut short":     {doc[:30], "byte"},
	} {
		if _, err := ParseDocument(c.b); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
	}
}

func FuzzParseDocument(f *testing.F) {
	f.Add(document(f, `{"AttestationReport":"AgAAAA==","RuntimeData":"e30="}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if d, err := ParseDocument(b); err == nil && (len(d.Report) == 0 || d.Attestation == nil) {
			t.Fatalf("accepted a document without its report: %+v", d)
		}
	})
}
