package workshop

import (
	"context"
	"fmt"
	"strings"

	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/present"
	"github.com/cvmscope/cvmscope/attestation/verify"
)

// Files runs the workshop's checks on evidence loaded from files (cvmscope inspect).
type Files struct {
	set    *evidence.Set
	opts   verify.Options
	pager  Pager
	result *verify.Result
}

// NewFiles returns a runner over a loaded set.
func NewFiles(s *evidence.Set, opts verify.Options, pager Pager) *Files {
	return &Files{set: s, opts: opts, pager: pager}
}

// Steps: only the report can be re-read from files.
func (f *Files) Steps() []StepID { return []StepID{ReadReport} }

// Banner names the files.
func (f *Files) Banner() Banner {
	var names []string
	for _, fi := range f.set.Files {
		names = append(names, fi.Path)
	}
	src := "files"
	if f.set.Source != evidence.SourceFiles && f.set.Source != "" {
		src = "a saved bundle from " + string(f.set.Source)
	}
	return Banner{Source: evidence.SourceFiles, TEE: f.set.TEE,
		Text:   present.T("Offline inspection of "+src+" — nothing is read from a TPM", "파일 오프라인 검사 — TPM에서 읽지 않습니다"),
		Detail: strings.Join(names, " ")}
}

// Run verifies the files; it does no I/O beyond what was loaded.
func (f *Files) Run(ctx context.Context, step StepID) (present.Page, error) {
	if step != ReadReport {
		return present.Page{}, fmt.Errorf("step %s needs a live VM; inspect shows the evidence only", step)
	}
	f.result = verify.Evidence(f.set, f.opts)
	return f.pager.ReadReport(f.set, f.result), ctx.Err()
}

// Result returns the verification result of the last run.
func (f *Files) Result() *verify.Result { return f.result }

// SetNonce has no effect offline: files cannot be re-read with new user data.
func (f *Files) SetNonce(string) {}

// Evidence returns the loaded set.
func (f *Files) Evidence() *evidence.Set { c := *f.set; return &c }

// Close does nothing.
func (f *Files) Close() error { return nil }
