package policy

// MAAError is how MAA answers a denial: HTTP 400 with error code PolicyEvaluationError,
// a message, and, when one claim decided it, a PolicyFailureClaim detail naming it
// (protocol §4.6). The no-permit message is the one MAA returned in a recorded session;
// the deny() and function-failure wordings are cvmscope's [UNSURE of MAA's exact text].
func (d *Denial) MAAError() (code, message string, failure *Claim) {
	const prefix = "Policy Engine Exception: "
	switch {
	case d.Rule != nil && d.Rule.Err != nil:
		return "PolicyEvaluationError", prefix + d.Rule.Err.EN + " (" + d.Rule.Rule.label() + ")", nil
	case d.Rule != nil && d.Rule.Fired && d.Rule.Rule.Action.Verb == "deny":
		return "PolicyEvaluationError", prefix + "A Deny claim was issued in the authorizationrules section (" + d.Rule.Rule.label() + "), authorization failed.", d.Claim
	}
	return "PolicyEvaluationError", prefix + "No Permit claim was issued in the authorizationrules section, authorization failed.", d.Claim
}
