package tpm

import (
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"testing"

	"github.com/google/go-tpm-tools/simulator"
	"github.com/google/go-tpm/tpm2/transport"
)

// serveMSSim speaks the Microsoft simulator TCP protocol (TpmTcpProtocol.h) in front of
// the embedded simulator: a command port with SEND_COMMAND framing and a platform port
// PORT+1 that acknowledges power and NV commands. It returns HOST:PORT of the command port.
func serveMSSim(t *testing.T) string {
	t.Helper()
	sim, err := simulator.GetWithFixedSeedInsecure(2)
	if err != nil {
		t.Fatal(err)
	}
	tr := transport.FromReadWriteCloser(sim)
	var cmdL, platL net.Listener
	for i := 0; i < 20 && platL == nil; i++ {
		if cmdL, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			t.Fatal(err)
		}
		port := cmdL.Addr().(*net.TCPAddr).Port
		if platL, err = net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port+1)); err != nil {
			cmdL.Close()
		}
	}
	if platL == nil {
		t.Fatal("no adjacent free ports")
	}
	done := make(chan struct{}, 2)
	go func() {
		defer func() { done <- struct{}{} }()
		c, err := platL.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		var code uint32
		for binary.Read(c, binary.BigEndian, &code) == nil {
			binary.Write(c, binary.BigEndian, uint32(0))
		}
	}()
	go func() {
		defer func() { done <- struct{}{} }()
		c, err := cmdL.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		for {
			var hdr struct {
				Code     uint32
				Locality uint8
				Len      uint32
			}
			if binary.Read(c, binary.BigEndian, &hdr) != nil || hdr.Code != 8 {
				return
			}
			cmd := make([]byte, hdr.Len)
			if _, err := io.ReadFull(c, cmd); err != nil {
				return
			}
			rsp, err := tr.Send(cmd)
			if err != nil {
				return
			}
			binary.Write(c, binary.BigEndian, uint32(len(rsp)))
			c.Write(rsp)
			binary.Write(c, binary.BigEndian, uint32(0))
		}
	}()
	t.Cleanup(func() {
		cmdL.Close()
		platL.Close()
		<-done
		<-done
		sim.Close()
	})
	return cmdL.Addr().String()
}

func TestMSSim(t *testing.T) {
	addr := serveMSSim(t)
	tp, err := Open(ctx, "mssim://"+addr)
	if err != nil {
		t.Fatal(err)
	}
	defer tp.Close()
	pcrs, err := tp.ReadPCRs(ctx)
	if err != nil || len(pcrs) != 24 {
		t.Fatalf("ReadPCRs over mssim: %d, %v", len(pcrs), err)
	}
	if err := tp.NVWriteUserData(ctx, []byte("mssim")); err != nil {
		t.Fatal(err)
	}
	got, err := tp.NVRead(ctx, NVUserData)
	if err != nil || string(got[:5]) != "mssim" {
		t.Fatalf("NV over mssim: %q %v", got, err)
	}
}
