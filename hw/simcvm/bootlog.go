package simcvm

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	_ "embed"
	"encoding/binary"
	"encoding/pem"
	"fmt"
	"math/big"
	"sync"

	"github.com/cvmscope/cvmscope/hw/simcvm/simroots"
	"github.com/google/go-eventlog/tcg"
)

// derive expands the seed into n bytes for one purpose; no two purposes share bytes. It is
// SHA-256 in counter mode rather than HKDF so that it cannot fail (HKDF refuses short seeds
// in FIPS-only mode), and seeds are never secret here.
func derive(seed []byte, purpose string, n int) []byte {
	out := make([]byte, 0, n+sha256.Size)
	for ctr := uint32(0); len(out) < n; ctr++ {
		h := sha256.New()
		fmt.Fprintf(h, "cvmscope/simcvm/%s\x00", purpose)
		_ = binary.Write(h, binary.BigEndian, ctr)
		h.Write(seed)
		out = h.Sum(out)
	}
	return out[:n]
}

// Boot chain of the simulated guest: an Ubuntu image on Azure, booted by shim and GRUB.
const (
	kernelVersion = "6.8.0-1021-azure"
	kernelPath    = "/boot/vmlinuz-" + kernelVersion
	initrdPath    = "/boot/initrd.img-" + kernelVersion
)

// The simulated Secure Boot certificates' CNs.
const (
	uefiPK     = "Platform Key"
	uefiKEK    = "KEK CA"
	uefiDB     = "UEFI CA"
	uefiVendor = "Ubuntu Secure Boot Signing"
)

// uefiCert is a self-signed Ed25519 certificate standing in for a Secure Boot key (PK, KEK,
// db entry, shim's vendor certificate). Ed25519 signatures are deterministic, so the same
// seed gives the same DER and hence the same PCR7. The default seed's four are embedded
// (defaultseed/uefi-certs.pem; TestEmbeddedUEFICerts proves them byte for byte): making
// them is four Ed25519 keys and signatures, about 2 ms of every start.
func uefiCert(seed []byte, cn string) ([]byte, error) {
	if bytes.Equal(seed, simroots.DefaultSeed()) {
		if der, ok := defaultUEFICerts()[cn]; ok {
			return der, nil
		}
	}
	return makeUEFICert(seed, cn)
}

//go:embed defaultseed/uefi-certs.pem
var defaultUEFICertsPEM []byte

// defaultUEFICerts are the embedded certificates by the CN uefiCert was asked for (each PEM
// block's "Name" header). A block that does not decode is left out, so it is made instead.
var defaultUEFICerts = sync.OnceValue(func() map[string][]byte {
	m := map[string][]byte{}
	for rest := defaultUEFICertsPEM; ; {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			return m
		}
		if b.Type == "CERTIFICATE" && b.Headers["Name"] != "" {
			m[b.Headers["Name"]] = b.Bytes
		}
	}
})

func makeUEFICert(seed []byte, cn string) ([]byte, error) {
	priv := ed25519.NewKeyFromSeed(derive(seed, "uefi-key/"+cn, ed25519.SeedSize))
	serial := new(big.Int).SetBytes(derive(seed, "uefi-serial/"+cn, 16))
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: cn + " (SIMULATED)", Organization: []string{simroots.RootLabel}},
		NotBefore:             simroots.NotBefore,
		NotAfter:              simroots.NotAfter,
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(nil, tmpl, tmpl, priv.Public(), priv)
	if err != nil {
		return nil, fmt.Errorf("simcvm: creating the simulated UEFI certificate %q: %w", cn, err)
	}
	return der, nil
}

// bootLog generates the measured boot of the simulated VM: firmware (PCR0), Secure Boot
// configuration (PCR7), boot variables (PCR1), separators (PCR0–7), shim, GRUB and the
// kernel (PCR4, with their Secure Boot authorities in PCR7), GRUB's commands and files
// (PCR8, PCR9, as Ubuntu's GRUB measures them) and ExitBootServices (PCR5).
func bootLog(seed []byte, secureBoot bool) (*tcgLog, error) {
	l := newTCGLog()
	image := func(name string) []byte { return derive(seed, "image/"+name, 64) }
	partGUID := efiGUID(derive(seed, "esp-partition-guid", 16))
	rootUUID := guidString(derive(seed, "root-partition-uuid", 16))

	// PCR0: the firmware. Digests of the firmware volumes stand in for their content.
	l.addSelf(0, tcg.SCRTMVersion, append(ucs2("Hyper-V UEFI Release v4.1 (cvmscope SIMULATED)"), 0, 0))
	l.add(0, tcg.EFIPlatformFirmwareBlob, firmwareBlob(0xFFC84000, 0x37C000), image("fv-dxe"))
	l.add(0, tcg.EFIPlatformFirmwareBlob, firmwareBlob(0xFFC00000, 0x84000), image("fv-pei"))

	// PCR7: Secure Boot state and key databases, measured as whole UEFI_VARIABLE_DATA.
	pk, err := uefiCert(seed, uefiPK)
	if err != nil {
		return nil, err
	}
	kek, err := uefiCert(seed, uefiKEK)
	if err != nil {
		return nil, err
	}
	db, err := uefiCert(seed, uefiDB)
	if err != nil {
		return nil, err
	}
	vendor, err := uefiCert(seed, uefiVendor)
	if err != nil {
		return nil, err
	}
	var revoked [][]byte
	for i := range 3 {
		revoked = append(revoked, derive(seed, fmt.Sprintf("dbx/%d", i), 32))
	}
	sb := byte(0)
	if secureBoot {
		sb = 1
	}
	l.addSelf(7, tcg.EFIVariableDriverConfig, uefiVariableData(efiGlobalVariable, "SecureBoot", []byte{sb}))
	l.addSelf(7, tcg.EFIVariableDriverConfig, uefiVariableData(efiGlobalVariable, "PK", signatureList(efiCertX509GUID, microsoftOwnerGUID, [][]byte{pk})))
	l.addSelf(7, tcg.EFIVariableDriverConfig, uefiVariableData(efiGlobalVariable, "KEK", signatureList(efiCertX509GUID, microsoftOwnerGUID, [][]byte{kek})))
	l.addSelf(7, tcg.EFIVariableDriverConfig, uefiVariableData(efiImageSecurityDB, "db", signatureList(efiCertX509GUID, microsoftOwnerGUID, [][]byte{db})))
	l.addSelf(7, tcg.EFIVariableDriverConfig, uefiVariableData(efiImageSecurityDB, "dbx", signatureList(efiCertSHA256GUID, microsoftOwnerGUID, revoked)))
	l.addSelf(7, tcg.Separator, []byte{0, 0, 0, 0})

	// PCR1: boot variables. EDK2 hashes only the variable's data for these.
	shimPath := `\EFI\ubuntu\shimx64.efi`
	bootOpt := loadOption("ubuntu", filePathDevicePath(partGUID, shimPath))
	l.add(1, tcg.EFIVariableBoot, uefiVariableData(efiGlobalVariable, "BootOrder", []byte{1, 0}), []byte{1, 0})
	l.add(1, tcg.EFIVariableBoot, uefiVariableData(efiGlobalVariable, "Boot0001", bootOpt), bootOpt)

	l.addSelf(4, tcg.EFIAction, []byte("Calling EFI Application from Boot Option"))
	for pcr := 0; pcr <= 6; pcr++ {
		l.addSelf(pcr, tcg.Separator, []byte{0, 0, 0, 0})
	}

	// PCR4: shim, then GRUB, then the kernel (loaded through shim's verifier); PCR7: the
	// certificate that authorised each, when Secure Boot checked it.
	l.add(4, tcg.EFIBootServicesApplication, imageLoadEvent(0x7DE3A018, 0xF0E08, filePathDevicePath(partGUID, shimPath)), image("shimx64.efi"))
	if secureBoot {
		l.addSelf(7, tcg.EFIVariableAuthority, uefiVariableData(efiImageSecurityDB, "db", signatureData(microsoftOwnerGUID, db)))
	}
	l.add(4, tcg.EFIBootServicesApplication, imageLoadEvent(0x7D5F2018, 0x26C5A8, filePathDevicePath(partGUID, `\EFI\ubuntu\grubx64.efi`)), image("grubx64.efi"))
	if secureBoot {
		l.addSelf(7, tcg.EFIVariableAuthority, uefiVariableData(shimLockGUID, "Shim", vendor))
	}
	linux := fmt.Sprintf("linux %s root=UUID=%s ro console=tty1 console=ttyS0 earlyprintk=ttyS0 panic=-1", kernelPath, rootUUID)
	grubCmds := []string{
		"search --no-floppy --fs-uuid --set=root " + rootUUID,
		"set prefix=($root)'/boot/grub'",
		"configfile ($root)/boot/grub/grub.cfg",
		"set default=0",
		"set timeout=0",
	}
	for _, c := range grubCmds {
		grubIPL(l, "grub_cmd", c)
	}
	grubFile(l, "/boot/grub/grub.cfg", image("grub.cfg"))
	grubIPL(l, "grub_cmd", linux)
	grubFile(l, kernelPath, image("vmlinuz"))
	l.add(4, tcg.EFIBootServicesApplication, imageLoadEvent(0x7C9A1018, 0xE3F1A8, nil), image("vmlinuz"))
	grubIPL(l, "kernel_cmdline", linux[len("linux "):])
	grubIPL(l, "grub_cmd", "initrd "+initrdPath)
	grubFile(l, initrdPath, image("initrd"))

	l.addSelf(5, tcg.EFIAction, []byte("Exit Boot Services Invocation"))
	l.addSelf(5, tcg.EFIAction, []byte("Exit Boot Services Returned with Success"))
	return l, nil
}

// grubIPL logs a GRUB string measurement as GRUB does: the event carries "kind: text" with
// a NUL, the digest covers only the text (checked against the real Ubuntu logs in
// ../shared/testdata/real).
func grubIPL(l *tcgLog, kind, text string) {
	l.add(8, tcg.Ipl, append([]byte(kind+": "+text), 0), []byte(text))
}

// grubFile logs a file GRUB read (PCR9): its path as data, its content as the digest.
func grubFile(l *tcgLog, path string, content []byte) {
	l.add(9, tcg.Ipl, append([]byte(path), 0), content)
}

// firmwareBlob encodes UEFI_PLATFORM_FIRMWARE_BLOB (base, length).
func firmwareBlob(base, length uint64) []byte {
	b := binary.LittleEndian.AppendUint64(nil, base)
	return binary.LittleEndian.AppendUint64(b, length)
}

// guidString formats 16 bytes as a lower-case RFC 4122 string with version 4 bits set.
func guidString(b []byte) string {
	u := append([]byte(nil), b[:16]...)
	u[6] = u[6]&0x0F | 0x40
	u[8] = u[8]&0x3F | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}
