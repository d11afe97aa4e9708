// Command demo runs the UI against the test-data runner, for trying it by hand:
//
//	go run ./ui/internal/demo [-lang ko] [-events 1000] [-delay 800ms] [-secureboot-off] [-block call-maa]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/workshop"
	"github.com/cvmscope/cvmscope/ui"
	"github.com/cvmscope/cvmscope/ui/uitest"
)

func main() {
	lang := flag.String("lang", "", "en or ko (default from LANG)")
	events := flag.Int("events", 40, "event log entries")
	delay := flag.Duration("delay", 600*time.Millisecond, "time each step takes")
	sbOff := flag.Bool("secureboot-off", false, "the Secure Boot fault scenario")
	block := flag.String("block", "", "a step that runs until esc cancels it")
	fail := flag.String("fail", "", "a step that fails with an error")
	noColor := flag.Bool("no-color", false, "draw without colour")
	flag.Parse()

	r := uitest.New()
	r.Events, r.Delay, r.SecureBootOff = *events, *delay, *sbOff
	if *block != "" {
		r.Block = map[workshop.StepID]bool{workshop.StepID(*block): true}
	}
	if *fail != "" {
		r.Fail = map[workshop.StepID]error{workshop.StepID(*fail): fmt.Errorf("test failure of %s", *fail)}
	}
	opts := ui.Options{Lang: present.Lang(*lang), NoColor: *noColor,
		Save: func(*evidence.Set) (string, error) {
			return "/tmp/cvmscope-demo-evidence.json (not written: test data)", nil
		}}
	if err := ui.Run(context.Background(), r, opts); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
