package eventlog

import (
	"crypto/sha256"
	"encoding/binary"
	"regexp"
	"strings"
	"testing"
)

func TestParseRealLogsToTheirEnd(t *testing.T) {
	wantBanks := map[string]string{
		"azsnp-eventlog-cvmmeasure-ncc40ads.bin": "sha1,sha256,sha384",
		"aztdx-eventlog-ita.bin":                 "sha1,sha256",
		"gce-sevsnp-ubuntu2404-eventlog.bin":     "sha1,sha256,sha384",
		"baremetal-archlinux-eventlog.bin":       "sha1,sha256",
	}
	for _, rl := range realLogs {
		t.Run(rl.file, func(t *testing.T) {
			raw := readReal(t, rl.file)
			l, err := Parse(raw)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if len(events(l)) != rl.events || l.Len() != rl.events {
				t.Errorf("%d events, MANIFEST.md and tpm2_eventlog say %d", len(events(l)), rl.events)
			}
			if l.Size != len(raw) || l.TrailingBytes != 0 {
				t.Errorf("parsed %d of %d bytes (%d trailing)", l.Size, len(raw), l.TrailingBytes)
			}
			if got := strings.Join(l.Banks, ","); got != wantBanks[rl.file] || !l.CryptoAgile || !l.HasBank("sha256") {
				t.Errorf("banks %q crypto-agile %v, want %q", got, l.CryptoAgile, wantBanks[rl.file])
			}
			evs := events(l)
			if evs[0].TypeName != "EV_NO_ACTION" || !strings.HasPrefix(evs[0].Description, "Spec ID Event03") {
				t.Errorf("event 0 = %s %q, want the Spec ID event", evs[0].TypeName, evs[0].Description)
			}
			for i, e := range evs {
				if e.Index != i || e.Description == "" || strings.ContainsAny(e.Description, "\n\r") {
					t.Errorf("event %d: index %d, description %q", i, e.Index, e.Description)
				}
				if e.TypeName != "EV_NO_ACTION" && len(e.Digest) != sha256.Size {
					t.Errorf("event %d (%s) has a %d-byte SHA-256 digest", i, e.TypeName, len(e.Digest))
				}
				if i > 0 && e.Offset <= evs[i-1].Offset {
					t.Errorf("event %d offset %d not after event %d at %d", i, e.Offset, i-1, evs[i-1].Offset)
				}
			}
		})
	}
}

func TestDescriptionsOfRealEvents(t *testing.T) {
	tests := []struct {
		file  string
		index int
		typ   string
		want  string
	}{
		{"azsnp-eventlog-cvmmeasure-ncc40ads.bin", 1, "EV_S_CRTM_VERSION", "S-CRTM version (empty)"},
		{"azsnp-eventlog-cvmmeasure-ncc40ads.bin", 3, "EV_EFI_VARIABLE_DRIVER_CONFIG", "SecureBoot = 0 (disabled)"},
		{"azsnp-eventlog-cvmmeasure-ncc40ads.bin", 4, "EV_EFI_VARIABLE_DRIVER_CONFIG", "PK: 1 certificate (Microsoft Hyper-V Firmware PK)"},
		{"azsnp-eventlog-cvmmeasure-ncc40ads.bin", 6, "EV_EFI_VARIABLE_DRIVER_CONFIG", "db (EFI image security database): 3 certificates (Microsoft Corporation UEFI CA 2011;"},
		{"azsnp-eventlog-cvmmeasure-ncc40ads.bin", 7, "EV_EFI_VARIABLE_DRIVER_CONFIG", "dbx (EFI image security database): 431 hashes"},
		{"azsnp-eventlog-cvmmeasure-ncc40ads.bin", 8, "EV_SEPARATOR", "separator: end of pre-OS measurements"},
		{"azsnp-eventlog-cvmmeasure-ncc40ads.bin", 18, "EV_EFI_GPT_EVENT", `2 partitions: "esp", "root-x86-64"`},
		{"azsnp-eventlog-cvmmeasure-ncc40ads.bin", 19, "EV_EFI_BOOT_SERVICES_APPLICATION", `image AcpiEx(VMBus)/VenHw(9b17e5a2-0891-42dd-b653-80b5c22809ba)/Scsi(0x0,0x0)/HD(1,GPT,cb96a8e9-addc-4be7-b68e-69b6d1ea59cb)/\EFI\BOOT\BOOTX64.EFI`},
		{"azsnp-eventlog-cvmmeasure-ncc40ads.bin", 24, "EV_IPL", `".cmdline"`},
		{"azsnp-eventlog-cvmmeasure-ncc40ads.bin", 35, "EV_EVENT_TAG", `tag 0x8f3b22ed: "LOADED_IMAGE::LoadOptions"`},
		{"azsnp-eventlog-cvmmeasure-ncc40ads.bin", 37, "EV_EFI_ACTION", `"Exit Boot Services Invocation"`},
		{"aztdx-eventlog-ita.bin", 1, "EV_NO_ACTION", "StartupLocality: TPM2_Startup ran from locality 3"},
		{"aztdx-eventlog-ita.bin", 3, "EV_S_CRTM_VERSION", `S-CRTM version "U46 v1.56 (11/29/2021)"`},
		{"aztdx-eventlog-ita.bin", 4, "EV_EFI_PLATFORM_FIRMWARE_BLOB", "firmware blob at 0xffe00000, 1507328 bytes"},
		{"aztdx-eventlog-ita.bin", 14, "EV_POST_CODE", `"ACPI DATA"`},
		{"aztdx-eventlog-ita.bin", 24, "EV_EFI_VARIABLE_BOOT", "BootOrder = Boot0011, Boot000E, Boot0012,"},
		{"aztdx-eventlog-ita.bin", 25, "EV_EFI_VARIABLE_BOOT", `Boot0011 "ubuntu" HD(1,GPT,f89cd390-95ce-4ebb-8f71-57671e596302)/\EFI\ubuntu\shimx64.efi`},
		{"aztdx-eventlog-ita.bin", 52, "EV_EFI_HANDOFF_TABLES", "1 configuration table: SMBIOS 3 table"},
		{"aztdx-eventlog-ita.bin", 57, "EV_EFI_VARIABLE_AUTHORITY", `SbatLevel (shim): "sbat,1,2022052400 grub,2"`},
		{"aztdx-eventlog-ita.bin", 59, "EV_EFI_BOOT_SERVICES_APPLICATION", `image \EFI\ubuntu\grubx64.efi`},
		{"aztdx-eventlog-ita.bin", 61, "EV_IPL", `"grub_cmd: search.fs_uuid b3645d9a-74da-4f0e-bacf-3a0843245600 root hd0,gpt2"`},
		{"aztdx-eventlog-ita.bin", 131, "EV_IPL", `"kernel_cmdline: /vmlinuz-5.15.0-119-generic root=/dev/mapper/ubuntu--vg-ubuntu--lv ro ima=on`},
		{"gce-sevsnp-ubuntu2404-eventlog.bin", 2, "EV_NONHOST_INFO", `"GCE NonHostInfo" + 16 bytes:`},
		{"gce-sevsnp-ubuntu2404-eventlog.bin", 13, "EV_EFI_VARIABLE_BOOT", `Boot0002 "Ubuntu" PciRoot(0x0)/Pci(0x4,0x0)/NVMe(0x1)/HD(15,GPT,`},
		{"baremetal-archlinux-eventlog.bin", 1, "EV_S_CRTM_VERSION", "S-CRTM version GUID 546bfb1e-1d0c-4055-a4ad-4ef4bf17b83a"},
		{"baremetal-archlinux-eventlog.bin", 2, "EV_POST_CODE", "firmware blob at 0xffa90000, 3473408 bytes"},
		{"baremetal-archlinux-eventlog.bin", 3, "EV_EFI_VARIABLE_DRIVER_CONFIG", "SecureBoot = (empty"},
		{"baremetal-archlinux-eventlog.bin", 19, "EV_EFI_VARIABLE_BOOT", `Boot0000 "Linux Boot Manager" HD(1,GPT,1a504613-19b5-4b44-a83d-d926d40daa1c)/\EFI\SYSTEMD\SYSTEMD-BOOTX64.EFI`},
		{"baremetal-archlinux-eventlog.bin", 24, "EV_IPL", `"initrd=\\intel-ucode.img initrd=\\initramfs-linux-lts.img cryptdevice=`},
	}
	logs := map[string]*Log{}
	for _, tc := range tests {
		l := logs[tc.file]
		if l == nil {
			var err error
			if l, err = Parse(readReal(t, tc.file)); err != nil {
				t.Fatalf("%s: %v", tc.file, err)
			}
			logs[tc.file] = l
		}
		e := events(l)[tc.index]
		if e.TypeName != tc.typ || !strings.Contains(e.Description, tc.want) {
			t.Errorf("%s #%d: %s %q, want %s containing %q", tc.file, tc.index, e.TypeName, e.Description, tc.typ, tc.want)
		}
	}
}

func TestSecureBootState(t *testing.T) {
	for _, file := range []string{"azsnp-eventlog-cvmmeasure-ncc40ads.bin", "aztdx-eventlog-ita.bin", "baremetal-archlinux-eventlog.bin"} {
		l, err := Parse(readReal(t, file))
		if err != nil {
			t.Fatal(err)
		}
		if on, known := l.SecureBootEnabled(); on || !known {
			t.Errorf("%s: SecureBootEnabled = %v, %v; the log measured Secure Boot off", file, on, known)
		}
	}

	// The same Azure log with the SecureBoot byte set and its digest to match: the variable's
	// value is its last data byte (event 3, 53 bytes of UEFI_VARIABLE_DATA).
	raw := readReal(t, "azsnp-eventlog-cvmmeasure-ncc40ads.bin")
	l, _ := Parse(raw)
	sb := events(l)[3]
	l2, err := Parse(setSecureBoot(t, true))
	if err != nil {
		t.Fatal(err)
	}
	if on, known := l2.SecureBootEnabled(); !on || !known {
		t.Errorf("SecureBootEnabled = %v, %v after setting the variable to 1", on, known)
	}
	if d := events(l2)[3].Description; d != "SecureBoot = 1 (enabled)" {
		t.Errorf("description %q", d)
	}
	if d := events(l2)[3].DescriptionKO; d != "SecureBoot = 1 (켜짐)" {
		t.Errorf("Korean description %q", d)
	}

	// A log without the variable (cut before event 3) says nothing about Secure Boot.
	short, err := Parse(raw[:sb.Offset])
	if err != nil {
		t.Fatal(err)
	}
	if _, known := short.SecureBootEnabled(); known {
		t.Error("SecureBootEnabled claims to know without a SecureBoot event")
	}
}

// eventDataOffset is where e's data starts inside its record.
func eventDataOffset(t *testing.T, raw []byte, e Event) int {
	t.Helper()
	frames, _, err := walk(raw)
	if err != nil {
		t.Fatal(err)
	}
	f := frames[e.Index]
	return f.size - len(f.data)
}

func TestUnknownTypeAndErrorSeparator(t *testing.T) {
	raw := readReal(t, "azsnp-eventlog-cvmmeasure-ncc40ads.bin")
	l, _ := Parse(raw)
	mod := append([]byte(nil), raw...)

	// Event 37 is EV_EFI_ACTION; give it a type no specification defines.
	binary.LittleEndian.PutUint32(mod[events(l)[37].Offset+4:], 0x12345678)
	// Event 8 is the PCR7 separator; write the error value into its data.
	sep := events(l)[8]
	binary.LittleEndian.PutUint32(mod[sep.Offset+eventDataOffset(t, raw, sep.Event):], 1)

	l2, err := Parse(mod)
	if err != nil {
		t.Fatalf("an unknown event type must not be an error: %v", err)
	}
	if e := events(l2)[37]; e.TypeName != "EV_UNKNOWN(0x12345678)" || e.Description != `"Exit Boot Services Invocation"` {
		t.Errorf("unknown type: %s %q", e.TypeName, e.Description)
	}
	if e := events(l2)[8]; !e.IsErrorSeparator() || !strings.HasPrefix(e.Description, "ERROR separator (0x00000001)") {
		t.Errorf("error separator: %v %q", e.IsErrorSeparator(), e.Description)
	}
	if events(l)[8].IsErrorSeparator() {
		t.Error("the normal separator reads as an error separator")
	}
	if got := hexPreview([]byte{0xde, 0xad, 0xbe, 0xef}); got.en != "4 bytes: deadbeef" || got.ko != "4바이트: deadbeef" {
		t.Errorf("hexPreview = %q", got)
	}
	if e := events(l2)[8]; !strings.HasPrefix(e.DescriptionKO, "오류 구분자 (0x00000001)") {
		t.Errorf("error separator in Korean: %q", e.DescriptionKO)
	}
}

func TestTypeName(t *testing.T) {
	for typ, want := range map[uint32]string{
		0x00000004: "EV_SEPARATOR",
		0x0000000d: "EV_IPL",
		0x80000003: "EV_EFI_BOOT_SERVICES_APPLICATION",
		0x800000e0: "EV_EFI_VARIABLE_AUTHORITY",
		0x00000099: "EV_UNKNOWN(0x00000099)",
	} {
		if got := TypeName(typ); got != want {
			t.Errorf("TypeName(%#x) = %q, want %q", typ, got, want)
		}
	}
}

// englishWords are the words of cvmscope's own English descriptions; none may reach a
// Korean description outside the event's quoted data and the certificate names.
var englishWords = regexp.MustCompile(`\b(bytes?|separator|certificates?|verified|image|firmware|blob|hash(es)?|database|table|partitions?|disk|enabled|disabled|extended|crypto-agile|banks?|version|empty|entries|entry|device path|inactive|tag|global variable|style log)\b`)

func TestDescriptionsInKorean(t *testing.T) {
	for _, rl := range realLogs {
		l, err := Parse(readReal(t, rl.file))
		if err != nil {
			t.Fatal(err)
		}
		translated := 0
		for _, e := range events(l) {
			ko := e.DescriptionKO
			if ko == "" || strings.Contains(ko, "%!") || strings.ContainsAny(ko, "\n\r") {
				t.Errorf("%s #%d: Korean description %q (English %q)", rl.file, e.Index, ko, e.Description)
			}
			if ko != e.Description {
				translated++
			}
			// Quoted data and authority certificate names are the event's own words.
			rest := regexp.MustCompile(`"(\\.|[^"\\])*"|인증서 [0-9]+개 \(.*\)|: .* 인증서로 검증됨$`).ReplaceAllString(ko, "")
			if w := englishWords.FindString(rest); w != "" {
				t.Errorf("%s #%d: %q left in the Korean description %q", rl.file, e.Index, w, ko)
			}
		}
		if translated == 0 {
			t.Errorf("%s: no description differs in Korean", rl.file)
		}
	}
}
