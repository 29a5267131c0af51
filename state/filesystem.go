package state

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// fileMode is the mode of every file this package writes: states hold
// connection details and operator names, so only their owner reads them.
const fileMode = 0o600

// BackupSuffix is appended to the state path to name the copy of the state
// as it was before the first write of a run.
const BackupSuffix = ".backup"

// Filesystem keeps the state in a local file. It is safe for concurrent
// use, but callers normally share one Sync per run and hold the lock.
type Filesystem struct {
	path string

	mu       sync.Mutex
	backedUp bool // the backup has been taken for this process
	// lastSize and lastMod describe the file as this Filesystem last
	// wrote it.
	lastSize int64
	lastMod  time.Time
	// lines keeps each resource's encoded line between saves.
	lines lineCache
	// snapSerial is the serial of the state file as this Filesystem last
	// wrote it, the base of its journal lines; journalSize is the
	// journal's length as it last wrote it, and journalBroken says an
	// append failed half way (journal.go).
	snapSerial    uint64
	journalSize   int64
	journalBroken bool

	// beforeRename, when set, runs after the temp file is written and
	// synced and before it replaces the target. Tests use it to stop a
	// write half way.
	beforeRename func(tmp string) error
}

// NewFilesystem returns a backend for the state file at path. Nothing is
// read or created until Load, Save or Lock is called.
func NewFilesystem(path string) *Filesystem {
	return &Filesystem{path: path}
}

// Path returns the state file path.
func (s *Filesystem) Path() string { return s.path }

// Load reads the state. A missing file is not an error: it returns
// (nil, nil) and the caller starts a new lineage. A file that cannot be
// used returns an *Error with its Path set. The changes an interrupted
// apply left in the journal are replayed on top (journal.go). Load never
// writes anything.
func (s *Filesystem) Load() (*File, error) {
	data, err := os.ReadFile(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load state: %w", err)
	}
	f, err := s.decode(data)
	if err != nil {
		return nil, err
	}
	if _, err := s.replay(f); err != nil {
		return nil, err
	}
	return f, nil
}

func (s *Filesystem) decode(data []byte) (*File, error) {
	f, err := ReadBytes(data)
	var se *Error
	if errors.As(err, &se) {
		se.Path = s.path
	}
	return f, err
}

// Save increments f.Serial and replaces the state file with f atomically:
// readers and crashes see either the previous state or the new one. The
// first Save of a Filesystem copies the file it replaces to
// "<path>.backup". If the file on disk cannot be read as a state (corrupt,
// or from a newer ferry), Save refuses and leaves it untouched; the error
// wraps the *Error that Load would return. On failure f.Serial is left as
// it was.
func (s *Filesystem) Save(f *File) error {
	if f.Serial == math.MaxUint64 {
		return fmt.Errorf("refusing to save state: serial %d cannot be incremented", f.Serial)
	}
	if f == nil {
		return errors.New("save state: nil file")
	}
	s.mu.Lock()
	defer s.mu.Unlock()

	// The file on disk is checked before it is replaced — unless it is
	// still exactly what this Filesystem wrote last (same size and
	// modification time), which saves re-reading a large state after
	// every action of an apply.
	var prev []byte
	if fi, err := os.Stat(s.path); err != nil || !s.backedUp || fi.Size() != s.lastSize || !fi.ModTime().Equal(s.lastMod) {
		prev, err = os.ReadFile(s.path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			prev = nil
		case err != nil:
			return fmt.Errorf("save state: %w", err)
		default:
			pf, err := s.decode(prev)
			if err != nil {
				return fmt.Errorf("refusing to overwrite state: %w", err)
			}
			// The backup is the state as it was: with the changes an
			// interrupted apply left in the journal.
			applied, err := s.replay(pf)
			if err != nil {
				return fmt.Errorf("refusing to overwrite state: %w", err)
			}
			if applied {
				if prev, err = Marshal(pf); err != nil {
					return fmt.Errorf("save state backup: %w", err)
				}
			}
		}
	}

	f.Serial++
	s.lines.forget(f)
	data, err := marshal(f, &s.lines)
	if err != nil {
		f.Serial--
		return fmt.Errorf("save state: %w", err)
	}
	if !s.backedUp && prev != nil {
		if err := writeAtomic(s.path+BackupSuffix, prev, nil); err != nil {
			f.Serial--
			return fmt.Errorf("save state backup: %w", err)
		}
	}
	if err := writeAtomic(s.path, data, s.beforeRename); err != nil {
		f.Serial--
		return fmt.Errorf("save state: %w", err)
	}
	s.backedUp = true
	s.snapSerial = f.Serial
	if fi, err := os.Stat(s.path); err == nil {
		s.lastSize, s.lastMod = fi.Size(), fi.ModTime()
	}
	s.removeJournal()
	return nil
}

// ErroredPath returns where DumpErrored writes: "errored.<base name>" in
// the state's directory.
func (s *Filesystem) ErroredPath() string {
	return filepath.Join(filepath.Dir(s.path), "errored."+filepath.Base(s.path))
}

// DumpErrored is the last resort when Save failed: it writes f, with the
// serial Save would have given it, to ErroredPath so that the record of
// work already done is not lost, and returns that path. cause is the Save
// error; it is only used to say what happened if this write fails too.
// Callers print RecoveryHint(fs.Path(), path).
func (s *Filesystem) DumpErrored(f *File, cause error) (string, error) {
	if f == nil {
		return "", errors.New("write errored state: nil file")
	}
	c := f.Clone()
	c.Serial++
	data, err := Marshal(c)
	if err == nil {
		err = writeAtomic(s.ErroredPath(), data, nil)
	}
	if err != nil {
		return "", fmt.Errorf("saving state failed (%v), and writing %s failed too: %w", cause, s.ErroredPath(), err)
	}
	return s.ErroredPath(), nil
}

// RecoveryHint is the text to print after DumpErrored: where the unsaved
// state went and how to put it back once the cause is fixed.
func RecoveryHint(path, errPath string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Failed to save state to %s.\n", path)
	fmt.Fprintf(&b, "The state ferry could not save was written to %s; it records work already done.\n", errPath)
	b.WriteString("After fixing the error above, put it back with:\n\n")
	fmt.Fprintf(&b, "    mv %s %s\n\n", errPath, path)
	b.WriteString("and run the command again; ferry resumes from there.\n")
	return b.String()
}

// writeAtomic replaces path with data: it writes a temp file in the same
// directory, syncs it, renames it over path and syncs the directory, so
// the rename survives a power loss. The file ends up with fileMode. A
// failure at any step removes the temp file and leaves path as it was.
func writeAtomic(path string, data []byte, beforeRename func(tmp string) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return err
	}
	tmpName := tmp.Name()
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmpName)
		}
	}()
	if err := tmp.Chmod(fileMode); err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if beforeRename != nil {
		if err := beforeRename(tmpName); err != nil {
			return err
		}
	}
	if err := os.Rename(tmpName, path); err != nil {
		return err
	}
	return syncDir(dir)
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
