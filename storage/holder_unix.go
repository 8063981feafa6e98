//go:build unix

package storage

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// isLiveBanksale reports whether process pid is running and, where the system says what it runs
// (Linux), runs this program. A lock file names the last banksale that owned it; when that one
// has ended, whatever holds the lock now is something else.
func isLiveBanksale(pid int) bool {
	if pid <= 0 {
		return false
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	if err := p.Signal(syscall.Signal(0)); err != nil && !errors.Is(err, syscall.EPERM) {
		return false
	}
	exe, err := os.Readlink(filepath.Join("/proc", strconv.Itoa(pid), "exe"))
	if err != nil {
		return true // no /proc (macOS, BSD) or not ours to read: alive is all we know
	}
	self, _ := os.Executable()
	name := strings.TrimSuffix(filepath.Base(exe), " (deleted)")
	return exe == self || strings.HasPrefix(name, "banksale")
}
