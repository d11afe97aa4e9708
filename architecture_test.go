package main

import (
	"bufio"
	"bytes"
	"os/exec"
	"strings"
	"testing"
)

// floors are cvmscope's layers, lowest first. A package may import packages on its own
// floor or below, never above: parsers know nothing of hardware, hardware nothing of steps,
// steps nothing of the terminal. README.md, "Architecture", explains each floor.
var floors = []struct {
	name     string
	packages []string // import paths relative to the module; a trailing "/..." takes a subtree
}{
	{"foundation", []string{"attestation/check/...", "attestation/fault", "attestation/present", "attestation/claims",
		"attestation/realdata", "attestation/internal/...", "attestation/regfile"}},
	{"formats", []string{"attestation/hcl", "attestation/snp", "attestation/tdx", "attestation/tpmquote",
		"attestation/akcert", "attestation/eventlog/...", "attestation/evidence", "attestation/token",
		"attestation/maa", "attestation/imds", "attestation/explain", "attestation/policy",
		"attestation/trustee", "attestation/tpm2tools", "attestation/gotpm"}},
	{"verification", []string{"attestation/verify", "attestation/compare", "attestation/pages", "attestation/pki"}},
	{"hardware and emulators", []string{"hw/...", "attestation/maaemu", "attestation/loopback"}},
	{"steps", []string{"attestation/workshop"}},
	{"terminal", []string{"ui", "ui/uitest", "ui/sshserve", "ui/internal/..."}},
	{"commands", []string{"ui/cli", ""}},
	{"benchmarks", []string{"bench/..."}},
}

const module = "github.com/cvmscope/cvmscope"

func floorOf(pkg string) (int, bool) {
	rel := strings.TrimPrefix(strings.TrimPrefix(pkg, module), "/")
	for i, f := range floors {
		for _, p := range f.packages {
			if rel == p || (strings.HasSuffix(p, "/...") && (rel == strings.TrimSuffix(p, "/...") || strings.HasPrefix(rel, strings.TrimSuffix(p, "...")))) {
				return i, true
			}
		}
	}
	return 0, false
}

// TestArchitecture reads `go list` and fails on any import above the importer's floor, on
// trust-bearing packages (everything in attestation/ but the steps) importing hw/, and on a
// package no floor names (give it one here and in the README).
func TestArchitecture(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	seen := 0
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		pkg, imports := fields[0], fields[1:]
		seen++
		own, ok := floorOf(pkg)
		if !ok {
			t.Errorf("%s is on no floor: add it to floors in architecture_test.go and to README.md's Architecture section", pkg)
			continue
		}
		for _, imp := range imports {
			if !strings.HasPrefix(imp, module) {
				continue
			}
			f, ok := floorOf(imp)
			if !ok {
				continue // reported as its own package
			}
			if f > own {
				t.Errorf("%s (%s) imports %s (%s): a floor may only import its own floor or below", pkg, floors[own].name, imp, floors[f].name)
			}
			rel := strings.TrimPrefix(pkg, module+"/")
			if strings.HasPrefix(rel, "attestation/") && rel != "attestation/workshop" && strings.HasPrefix(imp, module+"/hw/") {
				t.Errorf("%s imports %s: trust anchors come from the caller, so nothing in attestation/ but the steps may reach into hw/", pkg, imp)
			}
		}
	}
	if seen < 20 {
		t.Fatalf("go list named only %d packages; is the test running in the module?", seen)
	}
}

// TestFloorOf pins the pattern matching the architecture test relies on, so that it
// cannot pass by matching nothing.
func TestFloorOf(t *testing.T) {
	for pkg, want := range map[string]string{
		module + "/attestation/snp":                            "formats",
		module + "/attestation/internal/httpx":                 "foundation",
		module + "/hw/simcvm/simroots":                         "hardware and emulators",
		module + "/attestation/eventlog/internal/eventlogdump": "formats",
		module + "/ui/cli":                                     "commands",
		module:                                                 "commands",
	} {
		f, ok := floorOf(pkg)
		if !ok || floors[f].name != want {
			t.Errorf("floorOf(%s) = %d %v, want %s", pkg, f, ok, want)
		}
	}
	if _, ok := floorOf(module + "/attestation/snpx"); ok {
		t.Error("attestation/snpx matched a floor by prefix")
	}
	if _, ok := floorOf(module + "/hwx"); ok {
		t.Error("hwx matched hw/...")
	}
}
