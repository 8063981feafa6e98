//go:build !unix

package storage

import "os"

// isLiveBanksale reports whether process pid is running. Windows does not say cheaply what a
// process runs, so a running process with the recorded pid counts as banksale.
func isLiveBanksale(pid int) bool {
	if pid <= 0 {
		return false
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	_ = p.Release()
	return true
}
