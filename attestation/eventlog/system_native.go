//go:build !windows

package eventlog

// SystemSource names where ReadSystem reads the log, for messages.
const SystemSource = SystemPath

func readSystem() ([]byte, error) { return readLog(SystemPath) }
