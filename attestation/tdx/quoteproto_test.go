package tdx

import (
	"bytes"
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-tdx-guest/abi"
	pb "github.com/google/go-tdx-guest/proto/tdx"
	"google.golang.org/protobuf/proto"
)

// TestQuoteV4ProtoMatchesGoTDXGuest holds quoteV4Proto to the message go-tdx-guest's own
// parser makes from the same bytes: the real Azure and DCAP quotes and a simulated v5 quote
// (its v4 view; the DCAP one with its body and QE report overwritten by a pattern), and the
// same errors for a broken certification data size.
func TestQuoteV4ProtoMatchesGoTDXGuest(t *testing.T) {
	v5, _, _ := simV5(t)
	for name, raw := range map[string][]byte{
		azureQuoteFile: readReal(t, azureQuoteFile),
		dcapQuoteFile:  readReal(t, dcapQuoteFile),
		"simulated v5": v5,
	} {
		q, err := ParseQuote(raw)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		view := q.v4View()
		if name == dcapQuoteFile {
			// Every byte of the body and of the QE report different from its neighbours, so
			// that a field cut one byte off cannot match by chance (MRCONFIGID, MROWNER and
			// more are zero in the real quotes).
			view = append([]byte(nil), view...)
			for i := quoteBodyOff; i < quoteBodyOff+quoteBodySize; i++ {
				view[i] = byte(i)
			}
			rep := quoteBodyOff + quoteBodySize + 4 + signedCertTypeRel + 6
			for i := rep; i < rep+qeReportSize; i++ {
				view[i] = byte(i * 7)
			}
		}
		want, err := abi.QuoteToProto(view)
		if err != nil {
			t.Fatalf("%s: abi.QuoteToProto: %v", name, err)
		}
		got, err := quoteV4Proto(view)
		if err != nil {
			t.Fatalf("%s: quoteV4Proto: %v", name, err)
		}
		if !proto.Equal(got, want.(*pb.QuoteV4)) {
			t.Errorf("%s: quoteV4Proto differs from abi.QuoteToProto:\n got %v\nwant %v", name, got, want)
		}
		// A field appended to is copied, never written over the quote.
		before := string(view)
		_ = append(got.GetTdQuoteBody().GetMrTd(), 0xff)
		_ = append(got.GetSignedData().GetCertificationData().GetQeReportCertificationData().GetQeReport().GetReportData(), 0xff)
		if string(view) != before {
			t.Errorf("%s: appending to a field changed the quote's bytes", name)
		}

		// Trailing bytes past the signed data and a certification data size that does not
		// fill the signed data: both parsers say the same.
		extra := append(append([]byte(nil), view...), 1, 2, 3)
		want, _ = abi.QuoteToProto(extra)
		if got, err := quoteV4Proto(extra); err != nil || !proto.Equal(got, want.(*pb.QuoteV4)) {
			t.Errorf("%s with extra bytes: %v, differs from abi.QuoteToProto: %v", name, err, !proto.Equal(got, want.(*pb.QuoteV4)))
		}
		bad := append([]byte(nil), view...)
		bad[quoteBodyOff+quoteBodySize+4+signedCertTypeRel+2]++ // certification_data.size
		_, wantErr := abi.QuoteToProto(bad)
		_, gotErr := quoteV4Proto(bad)
		if wantErr == nil || gotErr == nil || gotErr.Error() != wantErr.Error() {
			t.Errorf("%s with a wrong certification data size: got error %v, go-tdx-guest %v", name, gotErr, wantErr)
		}
	}
}

// FuzzQuoteV4ProtoMatchesGoTDXGuest holds quoteToProto to abi.QuoteToProto on any bytes, not
// only on quotes ParseQuote walked: both refuse (an error or a panic) or both give equal
// messages, and no byte field of the message can be appended to over the input. Seeds are the
// v4 views of the real quotes and of the simulated v5 one.
func FuzzQuoteV4ProtoMatchesGoTDXGuest(f *testing.F) {
	realDir(f)
	v5, _, _ := simV5(f)
	for _, raw := range [][]byte{readReal(f, azureQuoteFile), readReal(f, dcapQuoteFile), v5} {
		q, err := ParseQuote(raw)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(q.v4View())
	}
	goTDXGuest := func(b []byte) (q *pb.QuoteV4, err error) {
		defer func() {
			if r := recover(); r != nil {
				q, err = nil, fmt.Errorf("panic: %v", r)
			}
		}()
		v, err := abi.QuoteToProto(b)
		if err != nil {
			return nil, err
		}
		return v.(*pb.QuoteV4), nil
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		in := slices.Clone(b)
		want, wantErr := goTDXGuest(slices.Clone(b))
		got, gotErr := quoteToProto(b)
		if (gotErr == nil) != (wantErr == nil) {
			t.Fatalf("quoteToProto error %v, abi.QuoteToProto error %v", gotErr, wantErr)
		}
		if gotErr != nil {
			return
		}
		if !proto.Equal(got, want) {
			t.Fatalf("quoteToProto differs from abi.QuoteToProto:\n got %v\nwant %v", got, want)
		}
		appendToBytes(got)
		if !bytes.Equal(b, in) {
			t.Fatal("appending to the message's byte fields changed the quote")
		}
	})
}

// appendToBytes appends a byte to every bytes field of q. The fields are named one by one:
// protoreflect's Value.Bytes gives a slice without spare capacity, whose append always copies.
func appendToBytes(q *pb.QuoteV4) {
	h, body, sd := q.GetHeader(), q.GetTdQuoteBody(), q.GetSignedData()
	qrc := sd.GetCertificationData().GetQeReportCertificationData()
	rep := qrc.GetQeReport()
	fields := [][]byte{h.GetPceSvn(), h.GetQeSvn(), h.GetQeVendorId(), h.GetUserData(),
		body.GetTeeTcbSvn(), body.GetMrSeam(), body.GetMrSignerSeam(), body.GetSeamAttributes(), body.GetTdAttributes(),
		body.GetXfam(), body.GetMrTd(), body.GetMrConfigId(), body.GetMrOwner(), body.GetMrOwnerConfig(), body.GetReportData(),
		sd.GetSignature(), sd.GetEcdsaAttestationKey(),
		rep.GetCpuSvn(), rep.GetReserved1(), rep.GetAttributes(), rep.GetMrEnclave(), rep.GetReserved2(), rep.GetMrSigner(),
		rep.GetReserved3(), rep.GetReserved4(), rep.GetReportData(),
		qrc.GetQeReportSignature(), qrc.GetQeAuthData().GetData(), qrc.GetPckCertificateChainData().GetPckCertChain(),
		q.GetExtraBytes()}
	for _, f := range append(fields, body.GetRtmrs()...) {
		_ = append(f, 0xa5)
	}
}
