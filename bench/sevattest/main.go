// Command sevattest writes a raw SEV-SNP report and its VCEK as the binary
// sevsnp.Attestation protobuf that go-sev-guest's check reads (-inform proto), so that it
// verifies offline the same two files cvmscope inspect is given.
//
//	sevattest REPORT.bin VCEK.der > attestation.pb
package main

import (
	"encoding/pem"
	"fmt"
	"os"

	"github.com/google/go-sev-guest/abi"
	spb "github.com/google/go-sev-guest/proto/sevsnp"
	"google.golang.org/protobuf/proto"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: sevattest REPORT.bin VCEK.der|VCEK.pem > attestation.pb")
		os.Exit(1)
	}
	report, err := os.ReadFile(os.Args[1])
	if err != nil {
		fail(err)
	}
	vcek, err := os.ReadFile(os.Args[2])
	if err != nil {
		fail(err)
	}
	if b, _ := pem.Decode(vcek); b != nil {
		vcek = b.Bytes
	}
	r, err := abi.ReportToProto(report[:abi.ReportSize])
	if err != nil {
		fail(fmt.Errorf("%s: %w", os.Args[1], err))
	}
	out, err := proto.Marshal(&spb.Attestation{Report: r, CertificateChain: &spb.CertificateChain{VcekCert: vcek}})
	if err != nil {
		fail(err)
	}
	os.Stdout.Write(out)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "sevattest:", err)
	os.Exit(1)
}
