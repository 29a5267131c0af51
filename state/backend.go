package state

import (
	"context"
	"os"
	"time"
)

// Backend stores one state and serialises the runs that change it. The
// local Filesystem is one; remote backends keep the state as an object in
// S3 or OSS and lock it with conditional writes, so a team and its CI share
// one state.
type Backend interface {
	// Load reads the state; a missing state is (nil, nil). A state that
	// cannot be trusted (corrupt, newer format) is an *Error and is never
	// modified.
	Load() (*File, error)
	// Save increments f.Serial and stores f atomically: readers see the
	// old or the new state, never a mix.
	Save(f *File) error
	// Lock takes the state's lock for one operation, retrying until
	// timeout; a lock held by someone else gives a *LockedError naming the
	// holder.
	Lock(ctx context.Context, info LockInfo, timeout time.Duration) (unlock func() error, err error)
	// ForceUnlock removes a lock left behind by a run that died, when id
	// matches the holder's lock ID.
	ForceUnlock(id string) error
	// DumpErrored writes f somewhere safe when Save failed and returns
	// where, for the recovery instructions.
	DumpErrored(f *File, cause error) (string, error)
	// OpenHistory opens the audit history kept beside the state.
	OpenHistory() (HistoryWriter, error)
	// ReadHistory reads every history record.
	ReadHistory() ([]Record, error)
	// String says where the state lives ("ferry.state.json",
	// "s3://bucket/key").
	String() string
}

// HistoryWriter appends audit records.
type HistoryWriter interface {
	Append(rec Record) error
	Close() error
}

var (
	_ Backend       = (*Filesystem)(nil)
	_ HistoryWriter = (*History)(nil)
)

// String returns the state file's path.
func (s *Filesystem) String() string { return s.path }

// HistoryPath is the history file beside the state: "<state minus .json>.history.jsonl".
func (s *Filesystem) HistoryPath() string {
	p := s.path
	if len(p) > 5 && p[len(p)-5:] == ".json" {
		p = p[:len(p)-5]
	}
	return p + ".history.jsonl"
}

// OpenHistory opens the history file beside the state.
func (s *Filesystem) OpenHistory() (HistoryWriter, error) { return OpenHistory(s.HistoryPath()) }

// ReadHistory reads the history file beside the state (none: no records).
func (s *Filesystem) ReadHistory() ([]Record, error) {
	if _, err := os.Stat(s.HistoryPath()); os.IsNotExist(err) {
		return nil, nil
	}
	return ReadHistory(s.HistoryPath())
}
