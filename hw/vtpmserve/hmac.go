package vtpmserve

import (
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	_ "crypto/sha1"
	_ "crypto/sha256" // the session hashes tpm2.TPMIAlgHash names
	_ "crypto/sha512"
	"encoding/binary"
	"fmt"

	"github.com/cvmscope/cvmscope/hw/simcvm"
	"github.com/google/go-tpm/tpm2"
)

// tpm2-tools authorises NV_Read with an HMAC session (unsalted, unbound, empty owner
// auth) rather than a password. The session lives in the inner TPM, but the report index
// is the paravisor's, so the inner TPM never sees that NV_Read. This file lets the server
// answer it as the TPM would: it follows the nonces of every unsalted, unbound HMAC session
// (whose key is empty, so the HMACs can be computed), checks the command HMAC, reads the
// report with a password through the paravisor, and moves the inner TPM's session on by
// one authorised read of the AK certificate index, so that the nonceTPM it hands the client
// is the one the inner TPM will expect next. Salted, bound, policy or encrypting sessions
// keep getting TPM_RC_AUTH_UNAVAILABLE from the paravisor.

const (
	tagSessions       = 0x8002
	ccNVRead          = 0x14E
	handlePassword    = 0x40000009
	handleNull        = 0x40000007
	handleOwner       = 0x40000001
	attrContinue      = 0x01
	sessionTypeHMAC   = 0x00
	rcAuthFail1       = 0x98E // TPM_RC_AUTH_FAIL for session 1
	rcAuthUnavailable = 0x12F
)

// hmacSession is an unsalted, unbound HMAC session the server follows.
type hmacSession struct {
	hash     crypto.Hash
	nonceTPM []byte
}

// auth is one TPMS_AUTH_COMMAND.
type auth struct {
	handle uint32
	nonce  []byte
	attrs  byte
	hmac   []byte
}

// parsedCmd is a command split into handles, authorisations and parameters.
type parsedCmd struct {
	cc      uint32
	handles []uint32
	auths   []auth
	params  []byte
}

// parseCmd splits a frame with sessions. The number of handles depends on the command;
// rather than a table of every command, it takes the first handle count (0 to 3) after
// which an authorisation area parses exactly: session handles of the right types, nonces
// and HMACs of digest size at most.
func parseCmd(cmd []byte) (parsedCmd, bool) {
	if len(cmd) < headerSize || binary.BigEndian.Uint16(cmd) != tagSessions {
		return parsedCmd{}, false
	}
	for n := 0; n <= 3; n++ {
		off := headerSize + 4*n
		if len(cmd) < off+4 {
			break
		}
		size := int(binary.BigEndian.Uint32(cmd[off:]))
		area := off + 4
		if size < 9 || size > len(cmd)-area {
			continue
		}
		auths, ok := parseAuths(cmd[area : area+size])
		if !ok {
			continue
		}
		p := parsedCmd{cc: binary.BigEndian.Uint32(cmd[6:]), auths: auths, params: cmd[area+size:]}
		for i := range n {
			p.handles = append(p.handles, binary.BigEndian.Uint32(cmd[headerSize+4*i:]))
		}
		return p, true
	}
	return parsedCmd{}, false
}

func parseAuths(b []byte) ([]auth, bool) {
	var out []auth
	for len(b) > 0 {
		if len(b) < 9 || len(out) == 3 {
			return nil, false
		}
		a := auth{handle: binary.BigEndian.Uint32(b)}
		switch a.handle >> 24 {
		case handleTypeHMACSess, handleTypePolicySess:
		default:
			if a.handle != handlePassword {
				return nil, false
			}
		}
		var ok bool
		if a.nonce, b, ok = take2B(b[4:], 64); !ok || len(b) < 1 {
			return nil, false
		}
		a.attrs = b[0]
		if a.hmac, b, ok = take2B(b[1:], 64); !ok {
			return nil, false
		}
		out = append(out, a)
	}
	return out, len(out) > 0
}

func take2B(b []byte, max int) (v, rest []byte, ok bool) {
	if len(b) < 2 {
		return nil, nil, false
	}
	n := int(binary.BigEndian.Uint16(b))
	if n > max || len(b) < 2+n {
		return nil, nil, false
	}
	return b[2 : 2+n], b[2+n:], true
}

// responseHandles is how many handles a successful response carries before its
// parameters (TPM 2.0 Part 3): the commands that create an object or session.
func responseHandles(cc uint32) int {
	switch cc {
	case ccCreatePrimary, ccLoad, ccLoadExternal, ccStartAuthSession, ccCreateLoaded, ccContextLoad, ccHashSequenceStart, ccHMACStart:
		return 1
	}
	return 0
}

// observe follows the sessions' nonces through one successful command. s.mu held.
func (s *Server) observe(cmd, rsp []byte) {
	cc := binary.BigEndian.Uint32(cmd[6:])
	switch cc {
	case ccStartAuthSession:
		s.startSession(cmd, rsp)
		return
	case ccFlushContext:
		if len(cmd) >= headerSize+4 {
			delete(s.sessions, binary.BigEndian.Uint32(cmd[headerSize:]))
		}
		return
	}
	p, ok := parseCmd(cmd)
	if !ok {
		return
	}
	// Response: header, handles, parameterSize, parameters, one TPMS_AUTH_RESPONSE per
	// command session (nonceTPM, attributes, HMAC).
	off := headerSize + 4*responseHandles(cc)
	if len(rsp) < off+4 || binary.BigEndian.Uint16(rsp) != tagSessions {
		return
	}
	off += 4 + int(binary.BigEndian.Uint32(rsp[off:]))
	if off > len(rsp) {
		return
	}
	b := rsp[off:]
	for _, a := range p.auths {
		nonce, rest, ok := take2B(b, 64)
		if !ok || len(rest) < 1 {
			return
		}
		_, rest, ok = take2B(rest[1:], 64)
		if !ok {
			return
		}
		b = rest
		if sess := s.sessions[a.handle]; sess != nil {
			if a.attrs&attrContinue == 0 {
				delete(s.sessions, a.handle)
			} else {
				sess.nonceTPM = append([]byte(nil), nonce...)
			}
		}
	}
}

// startSession records an unsalted, unbound, non-encrypting HMAC session.
func (s *Server) startSession(cmd, rsp []byte) {
	if binary.BigEndian.Uint16(cmd) != tpmTagNoSessions || len(cmd) < headerSize+8 || len(rsp) < headerSize+4 {
		return
	}
	if binary.BigEndian.Uint32(cmd[headerSize:]) != handleNull || binary.BigEndian.Uint32(cmd[headerSize+4:]) != handleNull {
		return
	}
	b := cmd[headerSize+8:]
	var ok bool
	if _, b, ok = take2B(b, 64); !ok { // nonceCaller
		return
	}
	if _, b, ok = take2B(b, 512); !ok || len(b) < 5 { // encryptedSalt
		return
	}
	if b[0] != sessionTypeHMAC || binary.BigEndian.Uint16(b[1:]) != uint16(tpm2.TPMAlgNull) {
		return
	}
	h, err := tpm2.TPMIAlgHash(binary.BigEndian.Uint16(b[3:])).Hash()
	if err != nil || !h.Available() || len(b) != 5 {
		return
	}
	handle := binary.BigEndian.Uint32(rsp[headerSize:])
	nonce, _, ok := take2B(rsp[headerSize+4:], 64)
	if !ok {
		return
	}
	s.sessions[handle] = &hmacSession{hash: h, nonceTPM: append([]byte(nil), nonce...)}
}

// reportReadWithHMAC answers an NV_Read of the report authorised by a followed HMAC
// session; ok is false when the command is not one. s.mu held.
func (s *Server) reportReadWithHMAC(cmd []byte) (rsp []byte, ok bool) {
	if len(cmd) < headerSize+8 || binary.BigEndian.Uint32(cmd[6:]) != ccNVRead || binary.BigEndian.Uint32(cmd[headerSize+4:]) != simcvm.ReportIndex {
		return nil, false
	}
	p, parsed := parseCmd(cmd)
	if !parsed || len(p.handles) != 2 || len(p.auths) != 1 || len(p.params) != 4 {
		return nil, false
	}
	a := p.auths[0]
	sess := s.sessions[a.handle]
	if sess == nil || a.attrs&^attrContinue != 0 {
		// Audit or parameter encryption, or a session the server cannot follow: the
		// paravisor answers TPM_RC_AUTH_UNAVAILABLE.
		return nil, false
	}
	authHandle := p.handles[0]
	if authHandle != handleOwner && authHandle != simcvm.ReportIndex {
		return nil, false // the paravisor refuses other hierarchies itself
	}
	reportName, err := nvName(simcvm.ReportNVPublic())
	if err != nil {
		return errorResponse(rcFailure), true
	}
	// The key is sessionKey ‖ authValue: empty for an unsalted, unbound session and the
	// empty owner and index passwords of the simulated CVM.
	cpHash := hashOf(sess.hash, u32(ccNVRead), handleName(authHandle, reportName), reportName, p.params)
	want := mac(sess.hash, cpHash, a.nonce, sess.nonceTPM, []byte{a.attrs})
	if !hmac.Equal(want, a.hmac) {
		// A failed authorisation ends nothing: the session and its nonce stay.
		return errorResponse(rcAuthFail1), true
	}

	// The data, with the same checks and errors as a password read.
	inner := readWithPassword(authHandle, p.params)
	data, err := s.cfg.TPM.Send(inner)
	if err != nil || len(data) < headerSize+6 {
		return errorResponse(rcFailure), true
	}
	if rc := binary.BigEndian.Uint32(data[6:]); rc != 0 {
		return data, true
	}
	params := data[headerSize+4:] // after parameterSize
	if ps := int(binary.BigEndian.Uint32(data[headerSize:])); ps <= len(params) {
		params = params[:ps]
	}

	// Move the inner TPM's session on, or end it as the TPM would.
	var next []byte
	if a.attrs&attrContinue != 0 {
		if next, err = s.roll(a.handle, sess); err != nil {
			s.log.Warn("vtpm: could not advance the HMAC session in the TPM", "session", fmt.Sprintf("0x%08x", a.handle), "err", err)
			return errorResponse(rcFailure), true
		}
		sess.nonceTPM = next
	} else {
		next = make([]byte, len(sess.nonceTPM))
		rand.Read(next)
		s.cfg.TPM.Send(flushCmd(a.handle))
		delete(s.sessions, a.handle)
		delete(s.owners, a.handle)
	}
	rpHash := hashOf(sess.hash, u32(0), u32(ccNVRead), params)
	rspHMAC := mac(sess.hash, rpHash, next, a.nonce, []byte{a.attrs})
	out := binary.BigEndian.AppendUint16(nil, tagSessions)
	out = binary.BigEndian.AppendUint32(out, 0) // size, below
	out = binary.BigEndian.AppendUint32(out, 0) // TPM_RC_SUCCESS
	out = binary.BigEndian.AppendUint32(out, uint32(len(params)))
	out = append(out, params...)
	out = append(binary.BigEndian.AppendUint16(out, uint16(len(next))), next...)
	out = append(out, a.attrs)
	out = append(binary.BigEndian.AppendUint16(out, uint16(len(rspHMAC))), rspHMAC...)
	binary.BigEndian.PutUint32(out[2:], uint32(len(out)))
	return out, true
}

// roll uses the session once in the inner TPM — a one-byte owner-authorised read of the
// AK certificate index, which changes nothing — and returns the nonceTPM it answers with.
func (s *Server) roll(handle uint32, sess *hmacSession) ([]byte, error) {
	pubRsp, err := tpm2.NVReadPublic{NVIndex: tpm2.TPMHandle(simcvm.AKCertIndex)}.Execute(s.cfg.TPM)
	if err != nil {
		return nil, err
	}
	name := pubRsp.NVName.Buffer
	params := []byte{0, 1, 0, 0} // size 1, offset 0
	nonceCaller := make([]byte, sess.hash.Size())
	rand.Read(nonceCaller)
	cpHash := hashOf(sess.hash, u32(ccNVRead), u32(handleOwner), name, params)
	h := mac(sess.hash, cpHash, nonceCaller, sess.nonceTPM, []byte{attrContinue})
	authArea := u32(handle)
	authArea = append(binary.BigEndian.AppendUint16(authArea, uint16(len(nonceCaller))), nonceCaller...)
	authArea = append(authArea, attrContinue)
	authArea = append(binary.BigEndian.AppendUint16(authArea, uint16(len(h))), h...)
	cmd := binary.BigEndian.AppendUint16(nil, tagSessions)
	cmd = binary.BigEndian.AppendUint32(cmd, 0)
	cmd = binary.BigEndian.AppendUint32(cmd, ccNVRead)
	cmd = binary.BigEndian.AppendUint32(cmd, handleOwner)
	cmd = binary.BigEndian.AppendUint32(cmd, simcvm.AKCertIndex)
	cmd = binary.BigEndian.AppendUint32(cmd, uint32(len(authArea)))
	cmd = append(append(cmd, authArea...), params...)
	binary.BigEndian.PutUint32(cmd[2:], uint32(len(cmd)))
	rsp, err := s.cfg.TPM.Send(cmd)
	if err != nil {
		return nil, err
	}
	if len(rsp) < headerSize+4 || binary.BigEndian.Uint32(rsp[6:]) != 0 {
		return nil, fmt.Errorf("NV_Read of the AK certificate index answered %x", rsp[:min(len(rsp), headerSize)])
	}
	off := headerSize + 4 + int(binary.BigEndian.Uint32(rsp[headerSize:]))
	if off > len(rsp) {
		return nil, fmt.Errorf("short NV_Read response")
	}
	nonce, _, ok := take2B(rsp[off:], 64)
	if !ok {
		return nil, fmt.Errorf("NV_Read response without a session nonce")
	}
	return append([]byte(nil), nonce...), nil
}

// readWithPassword is NV_Read(auth, report index) with the empty password.
func readWithPassword(authHandle uint32, params []byte) []byte {
	cmd := binary.BigEndian.AppendUint16(nil, tagSessions)
	cmd = binary.BigEndian.AppendUint32(cmd, uint32(headerSize+8+4+9+len(params)))
	cmd = binary.BigEndian.AppendUint32(cmd, ccNVRead)
	cmd = binary.BigEndian.AppendUint32(cmd, authHandle)
	cmd = binary.BigEndian.AppendUint32(cmd, simcvm.ReportIndex)
	cmd = binary.BigEndian.AppendUint32(cmd, 9)
	cmd = binary.BigEndian.AppendUint32(cmd, handlePassword)
	cmd = append(cmd, 0, 0, 0, 0, 0) // empty nonce, attributes 0, empty password
	return append(cmd, params...)
}

func flushCmd(h uint32) []byte {
	cmd := binary.BigEndian.AppendUint16(nil, tpmTagNoSessions)
	cmd = binary.BigEndian.AppendUint32(cmd, headerSize+4)
	cmd = binary.BigEndian.AppendUint32(cmd, ccFlushContext)
	return binary.BigEndian.AppendUint32(cmd, h)
}

func nvName(pub tpm2.TPMSNVPublic) ([]byte, error) {
	n, err := tpm2.NVName(&pub)
	if err != nil {
		return nil, err
	}
	return n.Buffer, nil
}

// handleName is an entity's Name: a permanent handle's is the handle itself.
func handleName(h uint32, nvName []byte) []byte {
	if h == simcvm.ReportIndex {
		return nvName
	}
	return u32(h)
}

func u32(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }

func hashOf(h crypto.Hash, parts ...[]byte) []byte {
	d := h.New()
	for _, p := range parts {
		d.Write(p)
	}
	return d.Sum(nil)
}

func mac(h crypto.Hash, parts ...[]byte) []byte {
	m := hmac.New(h.New, nil)
	for _, p := range parts {
		m.Write(p)
	}
	return m.Sum(nil)
}
