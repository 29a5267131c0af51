package remote

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/user"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/ferry-dev/ferry/state"
)

// Backoff bounds for lock retries, as for the local lock: short first so
// a released lock is picked up quickly, capped so a long wait does not
// flood the store with requests.
const (
	lockRetryMin = 50 * time.Millisecond
	lockRetryMax = 2 * time.Second
)

// LockKey returns the key of the lock object, "<key>.lock".
func (b *objectBackend) LockKey() string { return b.key + lockSuffix }

// Lock takes the state lock for one run by creating the lock object with
// a create-only write (S3 If-None-Match: *, OSS x-oss-forbid-overwrite)
// holding info as JSON. While another holder has it, Lock retries with
// backoff until timeout has passed (0: try once) and then returns a
// *state.LockedError naming the holder. A cancelled ctx returns
// ctx.Err(). The lock object outlives the process: a run that dies
// leaves it behind until ForceUnlock. The returned unlock deletes the
// lock object if it is still this lock; if someone force-unlocked it and
// another run now holds it, unlock leaves it and says so. Calling unlock
// again does nothing.
func (b *objectBackend) Lock(ctx context.Context, info state.LockInfo, timeout time.Duration) (unlock func() error, err error) {
	info = b.fillInfo(info)
	data, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("lock state: %w", err)
	}
	data = append(data, '\n')
	deadline := time.Now().Add(timeout)
	delay := lockRetryMin
	var etag string
	for {
		etag, err = b.store.put(ctx, b.LockKey(), data, condition{absent: true})
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if !errors.Is(err, errPrecondition) {
			return nil, fmt.Errorf("lock state %s: %w", b.String(), err)
		}
		holder, hetag, herr := b.readLock(ctx)
		if herr == nil && holder.ID == info.ID {
			// Our own earlier attempt got through and its reply was lost.
			etag = hetag
			break
		}
		wait := time.Until(deadline)
		if wait <= 0 {
			if herr != nil {
				return nil, &state.LockedError{InfoErr: herr}
			}
			return nil, &state.LockedError{Info: holder}
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

	var once sync.Once
	var unlockErr error
	return func() error {
		once.Do(func() { unlockErr = b.unlock(info.ID, etag) })
		return unlockErr
	}, nil
}

// unlock deletes the lock object if it is still the lock with this ID.
func (b *objectBackend) unlock(id, etag string) error {
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	holder, cur, err := b.readLock(ctx)
	switch {
	case errors.Is(err, errNotFound):
		return nil
	case err != nil:
		return fmt.Errorf("unlock state %s: %w", b.String(), err)
	case holder.ID != id:
		return fmt.Errorf("unlock state %s: the lock was removed and is now held by %s@%s (lock ID %s); left it in place",
			b.String(), holder.Who, holder.Host, holder.ID)
	}
	if err := b.store.remove(ctx, b.LockKey(), cur); err != nil {
		return fmt.Errorf("unlock state %s: %w", b.String(), err)
	}
	return nil
}

// fillInfo completes info as state.Filesystem does, with Path set to the
// state's URL.
func (b *objectBackend) fillInfo(info state.LockInfo) state.LockInfo {
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
	info.Path = b.String()
	return info
}

// ReadLockInfo returns the info of the current holder. No lock is an
// error matching os.ErrNotExist.
func (b *objectBackend) ReadLockInfo() (state.LockInfo, error) {
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	info, _, err := b.readLock(ctx)
	if errors.Is(err, errNotFound) {
		return info, fmt.Errorf("%s: %w", b.store.url(b.LockKey()), os.ErrNotExist)
	}
	return info, err
}

// readLock reads and decodes the lock object; errNotFound when there is
// none.
func (b *objectBackend) readLock(ctx context.Context) (state.LockInfo, string, error) {
	var info state.LockInfo
	data, etag, err := b.store.get(ctx, b.LockKey())
	if err != nil {
		return info, "", err
	}
	if err := json.Unmarshal(data, &info); err != nil {
		return info, etag, fmt.Errorf("lock object %s is not lock info: %w", b.store.url(b.LockKey()), err)
	}
	return info, etag, nil
}

// ForceUnlock deletes a lock left behind by a run that died, only if its
// ID is id, so a typo cannot break someone else's lock; a mismatch is an
// error naming the current lock ID. It cannot tell whether the holder is
// still running: check the host and pid the lock error reported first. A
// lock object that is not lock info (written by hand) is refused with its
// URL so it can be removed by hand.
func (b *objectBackend) ForceUnlock(id string) error {
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	info, etag, err := b.readLock(ctx)
	if errors.Is(err, errNotFound) {
		return fmt.Errorf("force-unlock: state %s is not locked", b.String())
	}
	if err != nil {
		return fmt.Errorf("force-unlock: %w", err)
	}
	if info.ID != id {
		return fmt.Errorf("force-unlock: lock ID %q does not match the current lock ID %q", id, info.ID)
	}
	if err := b.store.remove(ctx, b.LockKey(), etag); err != nil {
		if errors.Is(err, errPrecondition) {
			return fmt.Errorf("force-unlock: the lock of %s changed while it was being removed; run force-unlock again with the new lock ID", b.String())
		}
		return fmt.Errorf("force-unlock: %w", err)
	}
	return nil
}
