package storage

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"syscall"

	"banksale/model"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// The journal, its -wal and -shm, the lock, backups and the log are the store's takings: on a
// shared PC nobody but their owner should read them. SQLite creates a database with 0644 and
// gives the -wal and -shm the database's own mode, so creating the database file first, 0600,
// makes all three private. Windows has no such bits: there the folder's access list decides
// (the per-user data folder is its owner's alone).
const privateMode fs.FileMode = 0o600

// createPrivate makes the empty file name, readable by its owner alone, unless it exists.
func createPrivate(name string) error {
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, privateMode)
	if err != nil {
		return err
	}
	return f.Close()
}

// tightenModes takes group and other access away from the journal's files that an older
// banksale created readable by all.
func tightenModes(abs string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	for _, name := range []string{abs, abs + "-wal", abs + "-shm", abs + ".lock"} {
		fi, err := os.Stat(name)
		if err != nil {
			continue
		}
		if fi.Mode().Perm()&0o077 != 0 {
			if err := os.Chmod(name, fi.Mode().Perm()&0o700); err != nil {
				return fmt.Errorf("making %s private: %w", name, err)
			}
		}
	}
	return nil
}

// CannotWrite reports whether err is an open that failed because this process may not write
// the journal or its folder (permissions, a read-only file system or share): the journal can
// then still be opened for reading with OpenReadOnly.
func CannotWrite(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) && (se.Code()&0xff == sqlite3.SQLITE_READONLY || se.Code()&0xff == sqlite3.SQLITE_CANTOPEN) {
		return true
	}
	return errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS)
}

// markDiskFull makes a write that failed for lack of space say so as model.ErrDiskFull, which
// the uploader and the screen act on without knowing SQLite: SQLITE_FULL is SQLite's word for
// it, ENOSPC the system's (a -wal or -shm that cannot grow).
func markDiskFull(err *error) {
	if *err == nil || errors.Is(*err, model.ErrDiskFull) {
		return
	}
	var se *sqlite.Error
	if errors.As(*err, &se) && se.Code()&0xff == sqlite3.SQLITE_FULL || errors.Is(*err, syscall.ENOSPC) {
		*err = fmt.Errorf("%w: %w", model.ErrDiskFull, *err)
	}
}
