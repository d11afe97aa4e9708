package eventlog

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/google/go-eventlog/tcg"
)

// devicePathText renders an EFI device path in the UEFI text form ("PciRoot(0x0)/…/
// \EFI\BOOT\BOOTX64.EFI") for the node kinds firmware logs use; other nodes show as
// Path(type,subtype). go-eventlog splits the nodes; the text form is ours.
func devicePathText(raw []byte) (string, error) {
	il := tcg.EFIImageLoad{DevPathData: raw}
	nodes, err := il.DevicePath()
	if err != nil {
		return "", err
	}
	parts := make([]string, 0, len(nodes))
	for _, n := range nodes {
		parts = append(parts, nodeText(n))
	}
	return strings.Join(parts, "/"), nil
}

func nodeText(n tcg.EFIDevicePathElement) string {
	d := n.Data
	switch n.Type {
	case tcg.HardwareDevice:
		switch {
		case n.Subtype == 1 && len(d) >= 2:
			return fmt.Sprintf("Pci(0x%x,0x%x)", d[1], d[0])
		case n.Subtype == 4 && len(d) >= 16:
			return fmt.Sprintf("VenHw(%s)", guidString(d))
		}
	case tcg.ACPIDevice:
		if n.Subtype == 2 && len(d) >= 12 {
			// Hyper-V names its VMBus root by the HID string, with numeric IDs of zero.
			if hidStr, _, ok := bytes.Cut(d[12:], []byte{0}); ok && len(hidStr) > 0 {
				if s, ok := asciiText(hidStr); ok {
					return fmt.Sprintf("AcpiEx(%s)", s)
				}
			}
			return fmt.Sprintf("AcpiEx(0x%08x,0x%08x,0x%x)", binary.LittleEndian.Uint32(d), binary.LittleEndian.Uint32(d[8:]), binary.LittleEndian.Uint32(d[4:]))
		}
		if n.Subtype == 1 && len(d) >= 8 {
			hid, uid := binary.LittleEndian.Uint32(d), binary.LittleEndian.Uint32(d[4:])
			if hid == 0x0a0341d0 || hid == 0x0a0841d0 { // PNP0A03 / PNP0A08: PCI root bridge
				return fmt.Sprintf("PciRoot(0x%x)", uid)
			}
			return fmt.Sprintf("Acpi(0x%08x,0x%x)", hid, uid)
		}
	case tcg.MessagingDevice:
		switch {
		case n.Subtype == 2 && len(d) >= 4:
			return fmt.Sprintf("Scsi(0x%x,0x%x)", binary.LittleEndian.Uint16(d), binary.LittleEndian.Uint16(d[2:]))
		case n.Subtype == 5 && len(d) >= 2:
			return fmt.Sprintf("USB(0x%x,0x%x)", d[0], d[1])
		case n.Subtype == 11 && len(d) >= 33:
			return fmt.Sprintf("MAC(%x,0x%x)", d[:6], d[32])
		case n.Subtype == 12 && len(d) >= 8:
			return fmt.Sprintf("IPv4(%d.%d.%d.%d)", d[4], d[5], d[6], d[7])
		case n.Subtype == 15 && len(d) >= 7:
			return fmt.Sprintf("UsbClass(0x%x,0x%x,0x%x,0x%x,0x%x)", binary.LittleEndian.Uint16(d), binary.LittleEndian.Uint16(d[2:]), d[4], d[5], d[6])
		case n.Subtype == 10 && len(d) >= 16:
			return fmt.Sprintf("VenMsg(%s)", guidString(d))
		case n.Subtype == 18 && len(d) >= 6:
			return fmt.Sprintf("Sata(0x%x,0x%x,0x%x)", binary.LittleEndian.Uint16(d), binary.LittleEndian.Uint16(d[2:]), binary.LittleEndian.Uint16(d[4:]))
		case n.Subtype == 23 && len(d) >= 4:
			return fmt.Sprintf("NVMe(0x%x)", binary.LittleEndian.Uint32(d))
		case n.Subtype == 24:
			return fmt.Sprintf("Uri(%s)", oneLine(string(d)))
		}
	case tcg.MediaDevice:
		switch {
		case n.Subtype == 1 && len(d) >= 38:
			return hardDriveText(d)
		case n.Subtype == 3 && len(d) >= 16:
			return fmt.Sprintf("VenMedia(%s)", guidString(d))
		case n.Subtype == 4:
			if s, ok := ucs2Text(d); ok {
				return s
			}
		case n.Subtype == 8 && len(d) >= 20:
			return fmt.Sprintf("Offset(0x%x,0x%x)", binary.LittleEndian.Uint64(d[4:]), binary.LittleEndian.Uint64(d[12:]))
		case n.Subtype == 6 && len(d) >= 16:
			return fmt.Sprintf("FvFile(%s)", guidString(d))
		case n.Subtype == 7 && len(d) >= 16:
			return fmt.Sprintf("Fv(%s)", guidString(d))
		}
	case tcg.BBSDevice:
		return "BBS"
	}
	return fmt.Sprintf("Path(%d,%d)", n.Type, n.Subtype)
}

// hardDriveText renders a HARDDRIVE_DEVICE_PATH: partition number, start LBA, size,
// signature (GPT partition GUID or MBR disk id), format, signature type.
func hardDriveText(d []byte) string {
	part := binary.LittleEndian.Uint32(d)
	sig := d[20:36]
	switch d[37] {
	case 2:
		return fmt.Sprintf("HD(%d,GPT,%s)", part, guidString(sig))
	case 1:
		return fmt.Sprintf("HD(%d,MBR,0x%08x)", part, binary.LittleEndian.Uint32(sig))
	}
	return fmt.Sprintf("HD(%d)", part)
}

// imageLoadText describes an EFI_IMAGE_LOAD_EVENT: the image's device path and size.
func imageLoadText(data []byte) (text, bool) {
	il, err := tcg.ParseEFIImageLoad(bytesReader(data))
	if err != nil {
		return text{}, false
	}
	size := both("%d bytes at 0x%x", "%d바이트, 주소 0x%x", il.Header.Length, il.Header.LoadAddr)
	if len(il.DevPathData) == 0 {
		return both("image without device path (%s)", "장치 경로 없는 이미지 (%s)", size), true
	}
	path, err := devicePathText(il.DevPathData)
	if err != nil {
		// go-eventlog's words, kept as it wrote them.
		return both("image with unreadable device path (%v; %s)", "장치 경로를 읽을 수 없는 이미지 (%v; %s)", err, size), true
	}
	return both("image %s (%s)", "이미지 %s (%s)", path, size), true
}
