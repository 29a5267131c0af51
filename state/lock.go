package state

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"sync"
	"time"

	"github.com/gofrs/flock"
	"github.com/google/uuid"
)

// LockInfo says who holds the state lock. It is written next to the lock so
// that a second run can tell its user who to wait for.
type LockInfo struct {
	// ID identifies this lock for ForceUnlock; a UUID when left empty.
	ID string `json:"id"`
	// Operation is the command holding the lock, e.g. "apply".
	Operation string `json:"operation"`
	// Who is the operator; the OS user name when left empty.
	Who string `json:"who"`
	// Host is the machine; os.Hostname when left empty.
	Host string `json:"host"`
	// PID is the holder's process ID; this process when left zero.
	PID int `json:"pid"`
	// Created is when the lock was taken; now when left zero.
	Created time.Time `json:"created"`
	// Path is the state file the lock guards; filled by Lock.
	Path string `json:"path"`
}

// LockedError is returned when another holder keeps the lock past the
// timeout. Info is what that holder wrote; it is empty when the holder's
// info could not be read (InfoErr says why).
type LockedError struct {
	Info    LockInfo
	InfoErr error
}

// Error names the holder so the user knows whom to ask or what to wait for.
func (e *LockedError) Error() string {
	if e.InfoErr != nil {
		return fmt.Sprintf("state is locked by another process (holder unknown: %v)", e.InfoErr)
	}
	i := e.Info
	return fmt.Sprintf("state is locked by %s@%s (pid %d, operation %q, since %s, lock ID %s)",
		i.Who, i.Host, i.PID, i.Operation, i.Created.Format(time.RFC3339), i.ID)
}

// LockPath returns the file the OS advisory lock is taken on.
func (s *Filesystem) LockPath() string { return s.path + ".lock" }

// LockInfoPath returns the file that holds the current holder's LockInfo.
func (s *Filesystem) LockInfoPath() string { return s.path + ".lock.info" }

// Backoff bounds for lock retries: short first so a lock released quickly is
// picked up quickly, capped so a long wait does not spin.
const (
	lockRetryMin = 20 * time.Millisecond
	lockRetryMax = time.Second
)

// Lock takes the state lock for one run. The lock is an OS advisory lock on
// LockPath, so it is released by the kernel if the process dies; LockInfo
// is written to LockInfoPath for contenders to report. While another
// holder (another process, or another Filesystem in this process) has it,
// Lock retries with backoff until timeout has passed (0: try once) and then
// returns a *LockedError. A cancelled ctx returns ctx.Err(). Locking never
// touches the state file. The returned unlock removes the info file and
// releases the lock; calling it again does nothing.
func (s *Filesystem) Lock(ctx context.Context, info LockInfo, timeout time.Duration) (unlock func() error, err error) {
	info = s.fillInfo(info)
	fl := flock.New(s.LockPath(), flock.SetPermissions(fileMode))
	deadline := time.Now().Add(timeout)
	delay := lockRetryMin
	for {
		ok, err := fl.TryLock()
		if err != nil {
			return nil, fmt.Errorf("lock state: %w", err)
		}
		if ok {
			break
		}
		wait := time.Until(deadline)
		if wait <= 0 {
			return nil, s.lockedError()
		}
		t := time.NewTimer(min(delay, wait))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
		delay = min(delay*2, lockRetryMax)
	}

	data, err := json.MarshalIndent(info, "", "  ")
	if err == nil {
		err = writeAtomic(s.LockInfoPath(), append(data, '\n'), nil)
	}
	if err != nil {
		fl.Unlock()
		return nil, fmt.Errorf("write lock info: %w", err)
	}

	var once sync.Once
	var unlockErr error
	return func() error {
		once.Do(func() {
			if err := os.Remove(s.LockInfoPath()); err != nil && !errors.Is(err, fs.ErrNotExist) {
				unlockErr = fmt.Errorf("unlock state: %w", err)
			}
			if err := fl.Unlock(); err != nil && unlockErr == nil {
				unlockErr = fmt.Errorf("unlock state: %w", err)
			}
		})
		return unlockErr
	}, nil
}

func (s *Filesystem) fillInfo(info LockInfo) LockInfo {
	if info.ID == "" {
		info.ID = uuid.NewString()
	}
	if info.Who == "" {
		if u, err := user.Current(); err == nil {
			info.Who = u.Username
		}
	}
	if info.Host == "" {
		info.Host, _ = os.Hostname()
	}
	if info.PID == 0 {
		info.PID = os.Getpid()
	}
	if info.Created.IsZero() {
		info.Created = time.Now().UTC().Truncate(time.Second)
	}
	info.Path = s.path
	return info
}

// ReadLockInfo returns the info the current or last holder wrote.
func (s *Filesystem) ReadLockInfo() (LockInfo, error) {
	var info LockInfo
	data, err := os.ReadFile(s.LockInfoPath())
	if err != nil {
		return info, err
	}
	if err := json.Unmarshal(data, &info); err != nil {
		return info, fmt.Errorf("%s: %w", s.LockInfoPath(), err)
	}
	return info, nil
}

func (s *Filesystem) lockedError() *LockedError {
	info, err := s.ReadLockInfo()
	if err != nil {
		return &LockedError{InfoErr: err}
	}
	return &LockedError{Info: info}
}

// ForceUnlock removes lock info left behind by a holder that is gone, and
// only if its ID is id, so a typo cannot break someone else's lock. A local
// OS lock dies with its process by itself; if it is still held, the holder
// is alive and ForceUnlock refuses with a *LockedError.
func (s *Filesystem) ForceUnlock(id string) error {
	info, err := s.ReadLockInfo()
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("force-unlock: state %s is not locked", s.path)
	}
	if err != nil {
		return fmt.Errorf("force-unlock: %w", err)
	}
	if info.ID != id {
		return fmt.Errorf("force-unlock: lock ID %q does not match the current lock ID %q", id, info.ID)
	}
	fl := flock.New(s.LockPath(), flock.SetPermissions(fileMode))
	ok, err := fl.TryLock()
	if err != nil {
		return fmt.Errorf("force-unlock: %w", err)
	}
	if !ok {
		return &LockedError{Info: info}
	}
	defer fl.Unlock()
	if err := os.Remove(s.LockInfoPath()); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("force-unlock: %w", err)
	}
	return nil
}
