package cli

import (
	"context"
	"strings"
	"testing"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/pages"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/workshop"
	"github.com/cvmscope/cvmscope/hw/platform"
)

// Every --demo scene tells the story its caption promises, with the checks that run on
// Azure: the passing ones pass, the refusals end at Call MAA with a policy error, the
// tampered report fails snp.signature, the forged token fails jwt.signature.
func TestDemoScenesTellTheirStory(t *testing.T) {
	d, err := newDemo(workshop.LiveOptions{Platform: platform.Options{TPM: "sim"}, Pager: pages.Pager{}})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Scenes) != len(demoScenes) {
		t.Fatalf("%d scenes, want %d", len(d.Scenes), len(demoScenes))
	}
	ctx := context.Background()
	for i, sc := range d.Scenes {
		title := sc.Title.In(present.EN)
		r, err := sc.Open(ctx)
		if err != nil {
			t.Fatalf("%s: open: %v", title, err)
		}
		var failed check.List
		var stop error
		for _, step := range r.Steps() {
			p, err := r.Run(ctx, step)
			for _, c := range p.Checks {
				if c.Verdict == check.Fail {
					failed = append(failed, c)
				}
			}
			if err != nil {
				stop = err
				break
			}
		}
		r.Close()
		ids := []string{}
		for _, c := range failed {
			ids = append(ids, c.ID)
		}
		got := strings.Join(ids, ",")
		switch s := demoScenes[i]; {
		case s.tamper:
			if !strings.Contains(got, "snp.signature") {
				t.Errorf("%s: failed %q, want snp.signature among them (err %v)", title, got, stop)
			}
		case s.scenario == "secureboot-off" || s.scenario == "debug-enabled":
			if fault.KindOf(stop) != fault.Policy {
				t.Errorf("%s: stopped with %v (kind %v), want MAA's policy refusal", title, stop, fault.KindOf(stop))
			}
		case s.scenario == "unknown-key":
			if !strings.Contains(got, "jwt.signature") {
				t.Errorf("%s: failed %q, want jwt.signature (err %v)", title, got, stop)
			}
		default:
			if got != "" || stop != nil {
				t.Errorf("%s: failed %q, stopped with %v; want every check to pass", title, got, stop)
			}
		}
	}
}
