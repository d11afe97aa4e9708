//go:build unix

package vtpmserve

import (
	"bytes"
	"io"
	"log/slog"
	"testing"

	"github.com/cvmscope/cvmscope/hw/simcvm"
	"github.com/google/go-tpm-tools/simulator"
	legacy "github.com/google/go-tpm/legacy/tpm2"
	"github.com/google/go-tpm/tpm2/transport"
	"github.com/google/go-tpm/tpmutil"
)

// TestUnixSocket opens the Unix socket the way legacy go-tpm's tpm2.OpenTPM(path) does for
// a socket (bare frames) and reads the report.
func TestUnixSocket(t *testing.T) {
	opts := simcvm.DefaultOptions()
	opts.Now = testNow
	sim, err := simulator.GetWithFixedSeedInsecure(simcvm.SimulatorSeed(opts.Seed))
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	cvm, err := simcvm.Provision(transport.FromReadWriter(sim), opts)
	if err != nil {
		t.Fatal(err)
	}
	path := t.TempDir() + "/tpm.sock"
	srv, err := Start(Config{Listen: "127.0.0.1:0", Unix: path, TPM: cvm.Transport(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	rwc, err := legacy.OpenTPM(path)
	if err != nil {
		t.Fatalf("legacy tpm2.OpenTPM(%s): %v", path, err)
	}
	defer rwc.Close()
	report, err := legacy.NVReadEx(rwc, tpmutil.Handle(simcvm.ReportIndex), legacy.HandleOwner, "", 0)
	if err != nil || !bytes.Equal(report, cvm.Report()) {
		t.Fatalf("HCL report over the Unix socket: %v", err)
	}
}
