package tdx

import (
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
