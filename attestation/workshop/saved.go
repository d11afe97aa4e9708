package workshop

import (
	"context"
	"fmt"
	"strings"

	"github.com/cvmscope/cvmscope/attestation/check"
	"github.com/cvmscope/cvmscope/attestation/maa"
	"github.com/cvmscope/cvmscope/attestation/pages"
	"github.com/cvmscope/cvmscope/attestation/present"
)

// A bundle saved from a run holds the request it sent and the answer it got. inspect shows
// them as the Build request and Call MAA pages of that run, built by the same pages as a
// live run, so a failure (a policy denial, a 429) can be read out long after it happened.
// Nothing is built or sent again: their checks say so and skip.

func (f *Files) savedRequest() bool { return f.set.MAA != nil && len(f.set.MAA.Request) > 0 }
func (f *Files) savedAnswer() bool {
	return f.set.MAA != nil && (len(f.set.MAA.Response) > 0 || f.set.MAA.Status != 0)
}

func (f *Files) savedRequestPage() present.Page {
	ex := f.set.MAA
	v := pages.RequestView{Flow: ex.Flow, Endpoint: ex.Endpoint, Path: ex.Path, TEE: f.set.TEE, Body: ex.Request,
		EndpointReason:   "as recorded in the bundle (a record, not trusted: -a pins the provider)",
		EndpointReasonKO: "번들에 기록된 값입니다(기록일 뿐 신뢰하지 않으며, 공급자는 -a로 고정합니다)"}
	c := check.Skipf(IDRequest, "saved request of %d bytes, shown as it was sent to %s%s; offline, nothing is built or sent", len(ex.Request), ex.Endpoint, ex.Path).
		KO("%s%s로 보낸 저장된 요청(%d바이트)을 보낸 그대로 보여 줍니다. 오프라인이므로 아무것도 만들거나 보내지 않습니다", ex.Endpoint, ex.Path, len(ex.Request))
	if ex.Flow != "platform" {
		rg, err := maa.ParseGuestRequestInfo(ex.Request)
		if err != nil {
			// The bundle's own record of what was sent does not decode: it was damaged.
			c = check.Failf(IDRequest, "the saved request does not decode as an AzureGuest body: %v", err).
				KO("저장된 요청을 AzureGuest 본문으로 해석할 수 없습니다: %v", err)
		} else {
			v.Guest, v.Info = &rg.Request, rg.Info
		}
	}
	v.Checks = check.List{c}
	return f.withInputs(BuildRequest, f.pager.BuildRequest(v))
}

func (f *Files) savedAnswerPage() present.Page {
	ex := f.set.MAA
	// A refusal in the bundle is MAA's answer to that run, read out as such; this run made
	// no call, so the step skips like its check and the exit code, instead of failing.
	v := pages.CallView{Endpoint: ex.Endpoint, Path: ex.Path, Emulated: ex.Emulated, Saved: true,
		Exchange: &maa.Exchange{URL: ex.Endpoint + ex.Path, Status: ex.Status, RequestBody: ex.Request, ResponseBody: ex.Response}}
	c := check.Skipf(IDCall, "saved answer (HTTP %d, %d bytes), shown as it came; offline, MAA is not called again", ex.Status, len(ex.Response)).
		KO("저장된 응답(HTTP %d, %d바이트)을 받은 그대로 보여 줍니다. 오프라인이므로 MAA를 다시 호출하지 않습니다", ex.Status, len(ex.Response))
	if ex.Status != 0 && ex.Status != 200 {
		if se := maa.ParseServiceError(ex.Status, ex.Response); se != nil {
			v.Err = se
			status := strings.TrimSpace(fmt.Sprintf("HTTP %d %s", ex.Status, se.Code))
			c = check.Skipf(IDCall, "saved answer: MAA gave that run no token (%s), shown as it came; offline, MAA is not called again", status).
				KO("저장된 응답: MAA가 그 실행에 토큰을 주지 않았습니다(%s). 받은 그대로 보여 주며, 오프라인이므로 MAA를 다시 호출하지 않습니다", status)
		}
	}
	v.Checks = check.List{c}
	return f.withInputs(CallMAA, f.pager.CallMAA(v))
}

// withInputs adds the input checks when step is the run's last (a bundle saved after a
// failed Call MAA has no token step after it).
func (f *Files) withInputs(step StepID, p present.Page) present.Page {
	if !f.isLast(step) {
		return p
	}
	var done check.List
	if f.result != nil {
		done = append(done, f.result.Checks...)
	}
	done = append(done, p.Checks...)
	return withChecks(p, f.finalChecks(context.Background(), done, false), pages.Lookup)
}
