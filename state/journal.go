package state

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// An apply changes one resource at a time and must make each change
// durable before it goes on. Rewriting the whole state file for every
// change costs O(resources) per action, so a 10,000-table apply wrote
// terabytes. A Filesystem therefore appends each change, as one line, to a
// journal next to the state file ("<path>.journal") and rewrites the state
// file itself only now and then: when the journal has grown past the state
// file, and on every full Save (the end of an apply, state commands).
//
// Each journal line records the change (the resource as it now is, or the
// address removed), the lineage and serial of the state file it applies to
// (base), and the serial the state has after it. Load replays the lines
// whose base is the state file it read; lines left from before a rewrite
// have an older base and are ignored, so a crash between the rewrite and
// the journal's removal loses nothing and replays nothing twice. A last
// line without its newline was cut by a crash before its write was
// acknowledged: the change was never reported done, and the line is
// ignored.

// JournalSuffix is appended to the state path to name the journal.
const JournalSuffix = ".journal"

// Journal is a Persister that can make one resource's change durable
// without rewriting the whole state. Sync uses it when its Persister has
// it.
type Journal interface {
	Persister
	// Append makes the current version of the resource at addr in f
	// durable (its removal when f has no such resource) and increments
	// f.Serial, as Save would. On failure f.Serial is left as it was.
	Append(f *File, addr string) error
}

var _ Journal = (*Filesystem)(nil)

// journalLine is one line of the journal.
type journalLine struct {
	Lineage string    `json:"lineage"`
	Base    uint64    `json:"base"`
	Serial  uint64    `json:"serial"`
	Put     *Resource `json:"put,omitempty"`
	Remove  string    `json:"remove,omitempty"`
}

// journalPath is the journal of the state at path.
func (s *Filesystem) journalPath() string { return s.path + JournalSuffix }

// Append writes one journal line for the resource at addr, or rewrites the
// whole state (Save) when this Filesystem has not written the state file
// yet in this process (the first write takes the backup), when the state
// file or the journal changed behind its back, or when the journal has
// grown larger than the state file.
func (s *Filesystem) Append(f *File, addr string) error {
	s.mu.Lock()
	if !s.appendable() {
		s.mu.Unlock()
		return s.Save(f)
	}
	defer s.mu.Unlock()
	line := journalLine{Lineage: f.Lineage, Base: s.snapSerial, Serial: f.Serial + 1}
	if r, ok := f.Resources[addr]; ok {
		line.Put = r
	} else {
		line.Remove = addr
	}
	b, err := json.Marshal(line)
	if err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	b = append(b, '\n')
	if err := s.appendLine(b); err != nil {
		// Whatever was written may be half a line; the next write
		// rewrites the state and removes the journal.
		s.journalBroken = true
		return fmt.Errorf("save state: %w", err)
	}
	f.Serial++
	s.journalSize += int64(len(b))
	return nil
}

// appendable reports whether Append may write a journal line: the state
// file and the journal are what this Filesystem wrote last, and the
// journal is still smaller than the state file (rewriting then costs no
// more than the appends since the last rewrite did).
func (s *Filesystem) appendable() bool {
	if !s.backedUp || s.journalBroken || s.journalSize > max(s.lastSize, 1<<20) {
		return false
	}
	fi, err := os.Stat(s.path)
	if err != nil || fi.Size() != s.lastSize || !fi.ModTime().Equal(s.lastMod) {
		return false
	}
	ji, err := os.Stat(s.journalPath())
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return s.journalSize == 0
	case err != nil:
		return false
	}
	return ji.Size() == s.journalSize
}

// appendLine appends b to the journal and syncs it; creating the journal
// also syncs its folder.
func (s *Filesystem) appendLine(b []byte) error {
	created := s.journalSize == 0
	j, err := os.OpenFile(s.journalPath(), os.O_WRONLY|os.O_APPEND|os.O_CREATE, fileMode)
	if err != nil {
		return err
	}
	if _, err := j.Write(b); err != nil {
		j.Close()
		return err
	}
	if err := j.Sync(); err != nil {
		j.Close()
		return err
	}
	if err := j.Close(); err != nil {
		return err
	}
	if created {
		return syncDir(filepath.Dir(s.path))
	}
	return nil
}

// removeJournal deletes the journal after the state file has been
// rewritten. A journal that stays (the removal failed, or a crash came
// first) holds only lines of an older base, which Load ignores.
func (s *Filesystem) removeJournal() {
	if err := os.Remove(s.journalPath()); err == nil || errors.Is(err, fs.ErrNotExist) {
		s.journalSize, s.journalBroken = 0, false
		return
	}
	s.journalBroken = true
}

// replay applies the journal's lines for the state file f was read from
// (lineage f.Lineage, serial f.Serial) to f. It reports whether any line
// applied. A line that cannot be read, other than a last line cut short,
// makes the state unusable.
func (s *Filesystem) replay(f *File) (bool, error) {
	data, err := os.ReadFile(s.journalPath())
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("load state journal: %w", err)
	}
	base, applied := f.Serial, false
	for n := 1; len(data) > 0; n++ {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			break // cut by a crash before it was acknowledged
		}
		raw := data[:i]
		data = data[i+1:]
		var l journalLine
		if err := json.Unmarshal(raw, &l); err != nil || (l.Put == nil) == (l.Remove == "") || (l.Put != nil && l.Put.Addr == "") {
			if err == nil {
				err = errors.New("neither one resource nor one removal")
			}
			return false, &Error{
				Path: s.journalPath(),
				Msg:  fmt.Sprintf("state journal is corrupt at line %d: %v", n, err),
				Hint: "The state was not changed. Move the journal aside to use the state as it was last rewritten (the changes in the journal are then redone by the next apply), or restore both files from a backup.",
				Err:  err,
			}
		}
		if l.Lineage != f.Lineage || l.Base != base {
			continue // from before the state file was last rewritten
		}
		if l.Put != nil {
			f.Resources[l.Put.Addr] = l.Put
		} else {
			delete(f.Resources, l.Remove)
		}
		f.Serial, applied = l.Serial, true
	}
	return applied, nil
}
