package storage

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"banksale/model"

	"github.com/gofrs/flock"
)

// fileLock is the OS lock that makes one process the journal's only owner. The kernel drops it
// when the process dies, so a crash never leaves a journal locked.
type fileLock struct {
	fl   *flock.Flock
	path string
}

// lockInfo is written into the lock file so a second process can name the owner.
type lockInfo struct {
	PID   int       `json:"pid"`
	Host  string    `json:"host"`
	Since time.Time `json:"since"`
}

// infoOffset: on Windows the lock covers byte 0 and other handles cannot read or write it,
// so the owner's details live from byte 1 on (harmless elsewhere).
const infoOffset = 1

func acquireLock(dbPath string) (*fileLock, error) {
	path := dbPath + ".lock"
	fl := flock.New(path, flock.SetPermissions(0o600))
	ok, err := fl.TryLock()
	if err != nil {
		return nil, fmt.Errorf("storage: lock %s: %w", path, err)
	}
	if !ok {
		le := &model.InUseError{Path: dbPath}
		// The owner writes its details just after locking; give it a moment.
		for i := 0; i < 20; i++ {
			if info, ok := readLockInfo(path); ok {
				le.PID, le.Host, le.Since = info.PID, info.Host, info.Since
				host, _ := os.Hostname()
				le.NotBanksale = info.Host == host && !isLiveBanksale(info.PID)
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		return nil, le
	}
	host, _ := os.Hostname()
	info, _ := json.Marshal(lockInfo{PID: os.Getpid(), Host: host, Since: time.Now().UTC().Truncate(time.Second)})
	if err := writeLockInfo(path, append(info, '\n')); err != nil {
		fl.Unlock()
		return nil, fmt.Errorf("storage: lock %s: %w", path, err)
	}
	return &fileLock{fl: fl, path: path}, nil
}

func writeLockInfo(path string, info []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.WriteAt(info, infoOffset); err != nil {
		f.Close()
		return err
	}
	if err := f.Truncate(int64(infoOffset + len(info))); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func readLockInfo(path string) (lockInfo, bool) {
	var info lockInfo
	f, err := os.Open(path)
	if err != nil {
		return info, false
	}
	defer f.Close()
	b, err := io.ReadAll(io.NewSectionReader(f, infoOffset, 4096))
	if err != nil {
		return info, false
	}
	b = bytes.TrimSpace(bytes.Trim(b, "\x00"))
	if len(b) == 0 || json.Unmarshal(b, &info) != nil || info.PID == 0 {
		return info, false
	}
	return info, true
}

// release drops the lock. The file stays: removing it would let a third process lock a new
// file while a second still waits on the old one.
func (l *fileLock) release() error {
	if err := l.fl.Unlock(); err != nil {
		return fmt.Errorf("unlock %s: %w", l.path, err)
	}
	return nil
}
