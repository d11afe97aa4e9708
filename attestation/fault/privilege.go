package fault

import (
	"os"
	"strings"
)

// Euid is the effective user id, read through a variable so that tests of hints can play
// root and non-root without being either.
var Euid = os.Geteuid

// AsRoot reports whether cvmscope runs as root. Hints consult it so that they never tell
// root to run as root: for root, a permission error comes from elsewhere (a security
// module, a container without the device, a read-only mount).
func AsRoot() bool { return Euid() == 0 }

// RootHint is the advice for a file or device that only root may open: run with sudo when
// cvmscope is not root; when it is, what else denies root.
func RootHint(path string) string {
	if AsRoot() {
		return "cvmscope already runs as root, so something else denies access to " + path +
			": a security module (SELinux, AppArmor) or a container without the device; check `ls -l " + path + "` and the audit log"
	}
	if strings.HasPrefix(path, "/dev/tpm") {
		return "only root and the tss group may open " + path + ": run cvmscope with sudo, or add the user to the tss group"
	}
	return "only root may read " + path + ": run cvmscope with sudo"
}
