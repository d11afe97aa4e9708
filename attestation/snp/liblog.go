package snp

import (
	"io"
	"sync"

	"github.com/google/logger"
)

// quietLibraryLog sets up go-sev-guest's logger, which otherwise prefixes each line with
// "ERROR: Logging before logger.Init." and writes its warnings to stderr, in the middle of
// cvmscope's own output. What it warns about (a report without product information, where
// Milan is assumed) is decided and said by cvmscope's checks; its errors still reach stderr.
var quietLibraryLog = sync.OnceFunc(func() { logger.Init("go-sev-guest", false, false, io.Discard) })
