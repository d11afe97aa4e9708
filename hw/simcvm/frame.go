package simcvm

import (
	"encoding/binary"
	"fmt"
)

// TPM wire constants the paravisor needs to read and answer frames itself, and extendPCR to
// write its own (TPM 2.0 Part 2).
const (
	tagNoSessions uint16 = 0x8001
	tagSessions   uint16 = 0x8002

	ccNVUndefineSpace uint32 = 0x122
	ccNVWrite         uint32 = 0x137
	ccNVRead          uint32 = 0x14E
	ccNVReadPublic    uint32 = 0x169
	ccPCRExtend       uint32 = 0x182

	handlePW uint32 = 0x40000009 // TPM_RS_PW, the password pseudo-session

	headerSize = 10 // tag, size, command code or response code

	// Response codes a real TPM gives for the same mistakes (values from the TPM reference
	// implementation the go-tpm-tools simulator embeds).
	rcSuccess         uint32 = 0x000
	rcNVRange         uint32 = 0x146 // TPM_RC_NV_RANGE
	rcNVAuthorization uint32 = 0x149 // TPM_RC_NV_AUTHORIZATION
	rcAuthUnavailable uint32 = 0x12F // TPM_RC_AUTH_UNAVAILABLE
	rcCommandSize     uint32 = 0x142 // TPM_RC_COMMAND_SIZE
	rcAuthMissing     uint32 = 0x125 // TPM_RC_AUTH_MISSING
	rcBadTag          uint32 = 0x01E // TPM_RC_BAD_TAG
	rcNVReadSizeValue uint32 = 0x1C4 // TPM_RCS_VALUE + TPM_RC_P + TPM_RC_1 (size)
	rcNVReadOffsetVal uint32 = 0x2C4 // TPM_RCS_VALUE + TPM_RC_P + TPM_RC_2 (offset)
	rcBadAuthSession1 uint32 = 0x9A2 // TPM_RC_BAD_AUTH + TPM_RC_S + TPM_RC_1 (no DA: owner auth, NO_DA index)
)

// authCommand is one TPMS_AUTH_COMMAND of a command's authorization area.
type authCommand struct {
	handle uint32
	nonce  []byte
	attrs  byte
	hmac   []byte
}

// command is a parsed command frame: header, handles, authorization area and the raw
// parameter bytes.
type command struct {
	tag     uint16
	code    uint32
	handles []uint32
	auths   []authCommand
	params  []byte
}

// commandCode reads the command code of a frame without validating the rest, so that
// everything the paravisor does not own passes through untouched.
func commandCode(b []byte) (uint32, bool) {
	if len(b) < headerSize {
		return 0, false
	}
	return binary.BigEndian.Uint32(b[6:10]), true
}

// parseCommand parses a frame that has nHandles handles. Errors carry the response code a
// TPM would return for the same malformed frame.
func parseCommand(b []byte, nHandles int) (*command, uint32, error) {
	be := binary.BigEndian
	if len(b) < headerSize {
		return nil, rcCommandSize, fmt.Errorf("command frame is %d bytes, shorter than the 10-byte header", len(b))
	}
	c := &command{tag: be.Uint16(b[0:2]), code: be.Uint32(b[6:10])}
	if size := be.Uint32(b[2:6]); int(size) != len(b) {
		return nil, rcCommandSize, fmt.Errorf("command header size field (offset 2) says %d bytes, frame has %d", size, len(b))
	}
	if c.tag != tagNoSessions && c.tag != tagSessions {
		return nil, rcBadTag, fmt.Errorf("command tag 0x%04x at offset 0 is neither 0x8001 nor 0x8002", c.tag)
	}
	off := headerSize
	for i := 0; i < nHandles; i++ {
		if len(b) < off+4 {
			return nil, rcCommandSize, fmt.Errorf("handle %d at offset %d is missing", i+1, off)
		}
		c.handles = append(c.handles, be.Uint32(b[off:]))
		off += 4
	}
	if c.tag == tagSessions {
		if len(b) < off+4 {
			return nil, rcCommandSize, fmt.Errorf("authorization size at offset %d is missing", off)
		}
		authSize := int(be.Uint32(b[off:]))
		off += 4
		end := off + authSize
		if end > len(b) {
			return nil, rcCommandSize, fmt.Errorf("authorization area of %d bytes at offset %d runs past the frame", authSize, off)
		}
		for off < end {
			a, n, err := parseAuth(b[off:end])
			if err != nil {
				return nil, rcCommandSize, fmt.Errorf("authorization %d at offset %d: %v", len(c.auths)+1, off, err)
			}
			c.auths = append(c.auths, a)
			off += n
		}
	}
	c.params = b[off:]
	return c, rcSuccess, nil
}

func parseAuth(b []byte) (authCommand, int, error) {
	var a authCommand
	if len(b) < 4 {
		return a, 0, fmt.Errorf("session handle truncated")
	}
	a.handle = binary.BigEndian.Uint32(b)
	off := 4
	var err error
	if a.nonce, off, err = read2B(b, off); err != nil {
		return a, 0, fmt.Errorf("nonce: %v", err)
	}
	if len(b) < off+1 {
		return a, 0, fmt.Errorf("session attributes truncated")
	}
	a.attrs = b[off]
	off++
	if a.hmac, off, err = read2B(b, off); err != nil {
		return a, 0, fmt.Errorf("hmac: %v", err)
	}
	return a, off, nil
}

func read2B(b []byte, off int) ([]byte, int, error) {
	if len(b) < off+2 {
		return nil, 0, fmt.Errorf("size field at +%d truncated", off)
	}
	n := int(binary.BigEndian.Uint16(b[off:]))
	off += 2
	if len(b) < off+n {
		return nil, 0, fmt.Errorf("%d-byte buffer at +%d truncated", n, off)
	}
	return b[off : off+n], off + n, nil
}

// errorResponse is the 10-byte response a TPM sends for a failed command.
func errorResponse(rc uint32) []byte {
	b := make([]byte, headerSize)
	binary.BigEndian.PutUint16(b[0:], tagNoSessions)
	binary.BigEndian.PutUint32(b[2:], headerSize)
	binary.BigEndian.PutUint32(b[6:], rc)
	return b
}

// successResponse builds a response with parameters and, for a command that carried
// password sessions, one TPMS_AUTH_RESPONSE per session: empty nonce, continueSession
// echoed, empty HMAC (Part 1 §19.6.5: a password session is always continued).
func successResponse(c *command, params []byte) []byte {
	be := binary.BigEndian
	b := make([]byte, headerSize, headerSize+4+len(params)+5*len(c.auths))
	be.PutUint16(b[0:], c.tag)
	be.PutUint32(b[6:], rcSuccess)
	if c.tag == tagSessions {
		b = be.AppendUint32(b, uint32(len(params)))
	}
	b = append(b, params...)
	for range c.auths {
		b = append(b, 0, 0, 0x01, 0, 0) // nonceTPM size 0, continueSession, hmac size 0
	}
	be.PutUint32(b[2:], uint32(len(b)))
	return b
}
