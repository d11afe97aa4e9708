package workshop

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"sync"
	"time"

	"github.com/cvmscope/cvmscope/attestation/evidence"
	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/cvmscope/cvmscope/attestation/maaemu"
	"github.com/cvmscope/cvmscope/attestation/snp"
	"github.com/cvmscope/cvmscope/attestation/tdx"
	"github.com/cvmscope/cvmscope/attestation/token"
	"github.com/cvmscope/cvmscope/attestation/verify"
	"github.com/cvmscope/cvmscope/hw/simcvm/simroots"
)

// SimulatedKeySource names the simulated MAA key wherever a verdict says where trust rests.
const SimulatedKeySource = "cvmscope's simulated MAA signing key (public test key, trusted because the simulated CVM is)"

// SimulatedTrust is what trusting the simulated CVM means, in the forms each verifier takes:
// its AMD and Intel test roots for evidence, its vTPM CA and MAA key for the emulator, and
// the MAA key as a key set for tokens. Only a caller hands it out: a run that started the
// simulated CVM itself, or a user who passed --trust-simulated. Every key in it is public.
type SimulatedTrust struct {
	Verify verify.Trust
	// Emulator leaves TDXCollateral out; EmulatorConfig adds it.
	Emulator maaemu.Anchors
	MAAKeys  *token.KeySet
}

// Simulated returns the simulated CVM's anchors, made once per process (a run asks for them
// for the emulator and again for each verification). They are shared: do not modify them.
func Simulated() (*SimulatedTrust, error) { return simulated() }

var simulated = sync.OnceValues(func() (*SimulatedTrust, error) {
	a, err := simroots.Anchors()
	if err != nil {
		return nil, fault.Korean(fault.Errorf(fault.Internal, "simulated roots: %v", err), "시뮬레이션 루트 인증서: "+koErr(err), "")
	}
	jwks, err := json.Marshal(map[string]any{"keys": []map[string]any{{
		"kid": maaemu.KeyID(a.MAACert.Raw), "kty": "RSA",
		"x5c": []string{base64.StdEncoding.EncodeToString(a.MAACert.Raw)},
	}}})
	if err != nil {
		return nil, fault.Korean(fault.New(fault.Internal, err), "시뮬레이션 MAA 키 집합을 만들지 못했습니다: "+err.Error(), "")
	}
	keys, err := token.ParseJWKS(jwks, SimulatedKeySource)
	if err != nil {
		return nil, fault.Korean(fault.Errorf(fault.Internal, "simulated MAA key: %v", err), "시뮬레이션 MAA 키: "+koErr(err), "")
	}
	return &SimulatedTrust{
		Verify: verify.Trust{
			AMD:   []snp.Roots{{Product: "Milan", ARK: a.ARK, ASK: a.ASK}},
			Intel: []*x509.Certificate{a.PCKRoot},
			VTPM:  []*x509.Certificate{a.VTPMRoot, a.VTPMIntermediate},
		},
		Emulator: maaemu.Anchors{AMD: snp.Roots{Product: "Milan", ARK: a.ARK, ASK: a.ASK}, PCKRoot: a.PCKRoot,
			VTPMRoot: a.VTPMRoot, VTPMIntermediate: a.VTPMIntermediate, SigningKey: a.MAAKey, SigningCert: a.MAACert},
		MAAKeys: keys,
	}, nil
})

// verifyOptions are the run's verification options. A run that opened the simulated CVM
// itself trusts its test roots: it made that hardware, and every check that rests on them
// says "simulated test root". Any other run trusts the vendors' roots alone.
func (l *Live) verifyOptions(ctx context.Context) verify.Options {
	o := l.opts.Verify
	o.Context = ctx // Esc and Ctrl-C cancel what --network fetches
	l.mu.Lock()
	sim := l.plat != nil && l.plat.Source == evidence.SourceSim
	l.mu.Unlock()
	if sim {
		if st, err := Simulated(); err == nil {
			o.Trust.AMD = append(o.Trust.AMD, st.Verify.AMD...)
			o.Trust.Intel = append(o.Trust.Intel, st.Verify.Intel...)
			o.Trust.VTPM = append(o.Trust.VTPM, st.Verify.VTPM...)
		}
	}
	return o
}

// simulatedCollateral is the simulated Intel collateral the emulator judges TD quotes by
// (attester_tcb_status); nil if it cannot be made, which leaves the claim out. Only the
// emulator asks for it, once, when it first judges a TD quote: Simulated is also called for
// verification, which never reads it, signing it (a certificate, two documents and a CRL)
// cost 2 ms each time, and a SEV-SNP or Trusted Launch run never needs it.
func simulatedCollateral() *tdx.Collateral {
	plat, err := simroots.NewTDX(simroots.DefaultSeed())
	if err != nil {
		return nil
	}
	c, err := plat.Collateral(time.Now())
	if err != nil {
		return nil
	}
	return &tdx.Collateral{TCBInfo: c.TCBInfo, QEIdentity: c.QEIdentity, SigningChain: c.SigningChain, PCKCRL: c.PCKCRL}
}
