package simcvm

import (
	"crypto/rsa"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/cvmscope/cvmscope/attestation/fault"
	"github.com/google/go-tpm/tpm2"
	"github.com/google/go-tpm/tpm2/transport"
)

func ownerAuth() tpm2.AuthHandle {
	return tpm2.AuthHandle{Handle: tpm2.TPMRHOwner, Auth: tpm2.PasswordAuth(nil)}
}

func deviceErr(err error, format string, a ...any) error {
	return fault.WithHint(fault.Device, fmt.Errorf("simcvm: "+format+": %w", append(a, err)...),
		"check that the TPM is reachable and its owner and endorsement passwords are empty, or reset the TPM state")
}

// startup sends TPM2_Startup(CLEAR) unless the TPM has already been started (swtpm with
// startup-clear, the embedded simulator).
func startup(tr transport.TPM) error {
	_, err := tpm2.Startup{StartupType: tpm2.TPMSUClear}.Execute(tr)
	if err == nil || errors.Is(err, tpm2.TPMRCInitialize) {
		return nil
	}
	return deviceErr(err, "TPM2_Startup")
}

// akTemplate is an RSA-2048 restricted signing key (RSASSA/SHA-256) with the attributes
// OpenVMM gives Azure's AK. unique makes the primary depend on the simulation seed as well
// as on the TPM's endorsement seed.
func akTemplate(unique []byte) tpm2.TPMTPublic {
	return tpm2.TPMTPublic{
		Type:    tpm2.TPMAlgRSA,
		NameAlg: tpm2.TPMAlgSHA256,
		ObjectAttributes: tpm2.TPMAObject{
			FixedTPM:            true,
			FixedParent:         true,
			SensitiveDataOrigin: true,
			UserWithAuth:        true,
			NoDA:                true,
			Restricted:          true,
			SignEncrypt:         true,
		},
		Parameters: tpm2.NewTPMUPublicParms(tpm2.TPMAlgRSA, &tpm2.TPMSRSAParms{
			Scheme: tpm2.TPMTRSAScheme{
				Scheme:  tpm2.TPMAlgRSASSA,
				Details: tpm2.NewTPMUAsymScheme(tpm2.TPMAlgRSASSA, &tpm2.TPMSSigSchemeRSASSA{HashAlg: tpm2.TPMAlgSHA256}),
			},
			KeyBits: 2048,
		}),
		Unique: tpm2.NewTPMUPublicID(tpm2.TPMAlgRSA, &tpm2.TPM2BPublicKeyRSA{Buffer: unique}),
	}
}

// persistedKey returns the RSA public key at a persistent handle, creating it as an
// endorsement-hierarchy primary from template and persisting it when the handle is empty.
// An existing key is reused, so provisioning the same swtpm state twice is idempotent.
func persistedKey(tr transport.TPM, handle uint32, template tpm2.TPMTPublic, what string, check func(*tpm2.TPMTPublic) error) (*rsa.PublicKey, error) {
	rp, err := tpm2.ReadPublic{ObjectHandle: tpm2.TPMHandle(handle)}.Execute(tr)
	if err == nil {
		pub, err := rp.OutPublic.Contents()
		if err != nil {
			return nil, deviceErr(err, "public area of the %s at 0x%08x", what, handle)
		}
		if err := check(pub); err != nil {
			return nil, fault.WithHint(fault.Device,
				fmt.Errorf("simcvm: the key persisted at 0x%08x is not usable as the %s: %v", handle, what, err),
				fmt.Sprintf("evict it (tpm2_evictcontrol -C o -c 0x%08x) or reset the TPM state", handle))
		}
		return rsaPublic(pub, what, handle)
	}
	if !errors.Is(err, tpm2.TPMRCHandle) {
		return nil, deviceErr(err, "TPM2_ReadPublic 0x%08x", handle)
	}
	cp, err := tpm2.CreatePrimary{
		PrimaryHandle: tpm2.AuthHandle{Handle: tpm2.TPMRHEndorsement, Auth: tpm2.PasswordAuth(nil)},
		InPublic:      tpm2.New2B(template),
	}.Execute(tr)
	if err != nil {
		return nil, deviceErr(err, "creating the %s (TPM2_CreatePrimary, endorsement hierarchy)", what)
	}
	defer tpm2.FlushContext{FlushHandle: cp.ObjectHandle}.Execute(tr)
	if _, err := (tpm2.EvictControl{
		Auth:             ownerAuth(),
		ObjectHandle:     tpm2.NamedHandle{Handle: cp.ObjectHandle, Name: cp.Name},
		PersistentHandle: tpm2.TPMHandle(handle),
	}).Execute(tr); err != nil {
		return nil, deviceErr(err, "persisting the %s at 0x%08x (TPM2_EvictControl)", what, handle)
	}
	pub, err := cp.OutPublic.Contents()
	if err != nil {
		return nil, deviceErr(err, "public area of the new %s", what)
	}
	return rsaPublic(pub, what, handle)
}

func rsaPublic(pub *tpm2.TPMTPublic, what string, handle uint32) (*rsa.PublicKey, error) {
	parms, err := pub.Parameters.RSADetail()
	if err != nil {
		return nil, fmt.Errorf("simcvm: the %s at 0x%08x is not an RSA key: %w", what, handle, err)
	}
	n, err := pub.Unique.RSA()
	if err != nil {
		return nil, fmt.Errorf("simcvm: the %s at 0x%08x has no RSA modulus: %w", what, handle, err)
	}
	return tpm2.RSAPub(parms, n)
}

func checkAK(pub *tpm2.TPMTPublic) error {
	a := pub.ObjectAttributes
	if pub.Type != tpm2.TPMAlgRSA || !a.Restricted || !a.SignEncrypt || a.Decrypt || !a.FixedTPM {
		return fmt.Errorf("want an RSA restricted signing key fixed to the TPM")
	}
	return nil
}

func checkEK(pub *tpm2.TPMTPublic) error {
	a := pub.ObjectAttributes
	if pub.Type != tpm2.TPMAlgRSA || !a.Restricted || !a.Decrypt {
		return fmt.Errorf("want an RSA restricted decryption key")
	}
	return nil
}

// nvDefined reports whether an NV index exists.
func nvDefined(tr transport.TPM, index uint32) (bool, error) {
	_, err := tpm2.NVReadPublic{NVIndex: tpm2.TPMHandle(index)}.Execute(tr)
	if err == nil {
		return true, nil
	}
	if errors.Is(err, tpm2.TPMRCHandle) {
		return false, nil
	}
	return false, deviceErr(err, "TPM2_NV_ReadPublic 0x%08x", index)
}

func nvDefine(tr transport.TPM, index uint32, size int, attrs tpm2.TPMANV) error {
	_, err := tpm2.NVDefineSpace{
		AuthHandle: ownerAuth(),
		PublicInfo: tpm2.New2B(tpm2.TPMSNVPublic{
			NVIndex:    tpm2.TPMHandle(index),
			NameAlg:    tpm2.TPMAlgSHA256,
			Attributes: attrs,
			DataSize:   uint16(size),
		}),
	}.Execute(tr)
	if err != nil {
		return deviceErr(err, "defining NV 0x%08x (%d bytes)", index, size)
	}
	return nil
}

func nvUndefine(tr transport.TPM, index uint32) error {
	rp, err := tpm2.NVReadPublic{NVIndex: tpm2.TPMHandle(index)}.Execute(tr)
	if err != nil {
		return deviceErr(err, "TPM2_NV_ReadPublic 0x%08x", index)
	}
	if _, err := (tpm2.NVUndefineSpace{
		AuthHandle: ownerAuth(),
		NVIndex:    tpm2.NamedHandle{Handle: tpm2.TPMHandle(index), Name: rp.NVName},
	}).Execute(tr); err != nil {
		return deviceErr(err, "undefining NV 0x%08x", index)
	}
	return nil
}

// nvWrite writes data with owner authorisation in chunks the TPM accepts.
func nvWrite(tr transport.TPM, index uint32, data []byte, chunk int) error {
	rp, err := tpm2.NVReadPublic{NVIndex: tpm2.TPMHandle(index)}.Execute(tr)
	if err != nil {
		return deviceErr(err, "TPM2_NV_ReadPublic 0x%08x", index)
	}
	for off := 0; off < len(data); off += chunk {
		end := min(off+chunk, len(data))
		if _, err := (tpm2.NVWrite{
			AuthHandle: ownerAuth(),
			NVIndex:    tpm2.NamedHandle{Handle: tpm2.TPMHandle(index), Name: rp.NVName},
			Data:       tpm2.TPM2BMaxNVBuffer{Buffer: data[off:end]},
			Offset:     uint16(off),
		}).Execute(tr); err != nil {
			return deviceErr(err, "writing NV 0x%08x at offset %d", index, off)
		}
	}
	return nil
}

// tpmProperty reads one TPM_PT property.
func tpmProperty(tr transport.TPM, pt tpm2.TPMPT) (uint32, error) {
	rsp, err := tpm2.GetCapability{Capability: tpm2.TPMCapTPMProperties, Property: uint32(pt), PropertyCount: 1}.Execute(tr)
	if err != nil {
		return 0, deviceErr(err, "TPM2_GetCapability(0x%x)", uint32(pt))
	}
	props, err := rsp.CapabilityData.Data.TPMProperties()
	if err != nil || len(props.TPMProperty) == 0 || props.TPMProperty[0].Property != pt {
		return 0, fault.Errorf(fault.Device, "simcvm: the TPM did not report property 0x%x", uint32(pt))
	}
	return props.TPMProperty[0].Value, nil
}

// readPCRs reads SHA-256 PCRs; a TPM may answer a subset per call, so it loops until all
// selected PCRs were returned (protocol §1.5).
func readPCRs(tr transport.TPM, idx []int) (map[int][]byte, error) {
	want := map[int]bool{}
	for _, i := range idx {
		want[i] = true
	}
	out := map[int][]byte{}
	for len(want) > 0 {
		var pcrs []uint
		for i := range want {
			pcrs = append(pcrs, uint(i))
		}
		sel := tpm2.TPMLPCRSelection{PCRSelections: []tpm2.TPMSPCRSelection{{
			Hash: tpm2.TPMAlgSHA256, PCRSelect: tpm2.PCClientCompatible.PCRs(pcrs...),
		}}}
		rsp, err := tpm2.PCRRead{PCRSelectionIn: sel}.Execute(tr)
		if err != nil {
			return nil, deviceErr(err, "TPM2_PCR_Read")
		}
		got := 0
		for _, s := range rsp.PCRSelectionOut.PCRSelections {
			if s.Hash != tpm2.TPMAlgSHA256 {
				continue
			}
			for byteIdx, bits := range s.PCRSelect {
				for bit := 0; bit < 8; bit++ {
					if bits&(1<<bit) == 0 {
						continue
					}
					i := byteIdx*8 + bit
					if got >= len(rsp.PCRValues.Digests) {
						return nil, fault.Errorf(fault.Device, "simcvm: TPM2_PCR_Read selected more PCRs than it returned")
					}
					out[i] = rsp.PCRValues.Digests[got].Buffer
					delete(want, i)
					got++
				}
			}
		}
		if got == 0 {
			return nil, fault.Errorf(fault.Device, "simcvm: the TPM returned no SHA-256 PCRs; is the SHA-256 bank allocated?")
		}
	}
	return out, nil
}

// extendPCR extends one measurement into the SHA-256 bank and, when given, the SHA-1 and
// SHA-384 banks (a TPM ignores digests of banks it has not allocated). The frame is written
// here, not by go-tpm: its reflection cost more than the simulator's own work for the boot
// log's 37 extends (about 2 ms of every start). TestPCRExtendFrameIsGoTPMs holds it to the
// bytes go-tpm sends.
func extendPCR(tr transport.TPM, pcr int, digest []byte, others ...[]byte) error {
	ds := []tpm2.TPMTHA{{HashAlg: tpm2.TPMAlgSHA256, Digest: digest}}
	for _, d := range others {
		switch len(d) {
		case 20:
			ds = append(ds, tpm2.TPMTHA{HashAlg: tpm2.TPMAlgSHA1, Digest: d})
		case 48:
			ds = append(ds, tpm2.TPMTHA{HashAlg: tpm2.TPMAlgSHA384, Digest: d})
		}
	}
	rsp, err := tr.Send(pcrExtendFrame(pcr, ds))
	if err == nil {
		err = responseError(rsp)
	}
	if err != nil {
		return deviceErr(err, "TPM2_PCR_Extend PCR%d", pcr)
	}
	return nil
}

// pcrExtendFrame is TPM2_PCR_Extend of pcr with an empty password, as go-tpm's
// tpm2.PCRExtend with tpm2.PasswordAuth(nil) marshals it.
func pcrExtendFrame(pcr int, ds []tpm2.TPMTHA) []byte {
	be := binary.BigEndian
	b := be.AppendUint16(make([]byte, 0, 128), tagSessions)
	b = be.AppendUint32(b, 0) // the size, once known
	b = be.AppendUint32(b, ccPCRExtend)
	b = be.AppendUint32(b, uint32(pcr))
	// The authorization area: TPM_RS_PW, an empty nonce, no attributes, an empty password.
	b = be.AppendUint32(b, 4+2+1+2)
	b = be.AppendUint32(b, handlePW)
	b = be.AppendUint16(b, 0)
	b = append(b, 0)
	b = be.AppendUint16(b, 0)
	b = be.AppendUint32(b, uint32(len(ds)))
	for _, d := range ds {
		b = be.AppendUint16(b, uint16(d.HashAlg))
		b = append(b, d.Digest...)
	}
	be.PutUint32(b[2:], uint32(len(b)))
	return b
}

// responseError is the response code of a response frame as go-tpm returns it: a
// tpm2.TPMRC, nil for success.
func responseError(rsp []byte) error {
	if len(rsp) < headerSize {
		return fmt.Errorf("response of %d bytes, shorter than the 10-byte header", len(rsp))
	}
	if rc := binary.BigEndian.Uint32(rsp[6:headerSize]); rc != rcSuccess {
		return tpm2.TPMRC(rc)
	}
	return nil
}
