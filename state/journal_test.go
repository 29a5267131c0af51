package state

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// newJournaled returns a Filesystem at a fresh path and a Sync writing to
// it, its first full save done (as the first write of an apply is).
func newJournaled(t *testing.T, n int) (*Filesystem, *Sync) {
	t.Helper()
	fs := NewFilesystem(filepath.Join(t.TempDir(), "ferry.state.json"))
	f := bigFile(n)
	if err := fs.Save(f); err != nil {
		t.Fatal(err)
	}
	s := NewSync(fs, f)
	clock := time.Date(2026, 11, 25, 13, 0, 0, 0, time.UTC)
	s.now = func() time.Time { clock = clock.Add(time.Millisecond); return clock }
	return fs, s
}

// load reads the state as a new process would.
func load(t *testing.T, path string) *File {
	t.Helper()
	f, err := NewFilesystem(path).Load()
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// Changes go to the journal, not the state file, and a new process reads
// the state with them: resources, removals and the serial.
func TestJournalReplaysChanges(t *testing.T) {
	fs, s := newJournaled(t, 50)
	serial := s.Snapshot().Serial
	before, err := os.ReadFile(fs.Path())
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		addr := fmt.Sprintf("migration.m.table.main.t%06d.load", i)
		if err := s.Update(addr, func(r *Resource) { r.Status = StatusRunning }); err != nil {
			t.Fatal(err)
		}
		if err := s.Update(addr, func(r *Resource) {
			r.Status = StatusDone
			r.Observed = map[string]string{"rows": "7"}
			r.Output = json.RawMessage(`{"rows":7}`)
		}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Update("migration.m.table.main.new.unload", func(r *Resource) { r.Kind = "unload" }); err != nil {
		t.Fatal(err)
	}
	if err := s.Remove("migration.m.table.main.t000049.load"); err != nil {
		t.Fatal(err)
	}
	after, err := os.ReadFile(fs.Path())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Fatal("the state file was rewritten; want the changes appended to the journal")
	}
	want := s.Snapshot()
	if want.Serial != serial+22 {
		t.Fatalf("serial = %d, want %d (one per change)", want.Serial, serial+22)
	}
	if diff := cmp.Diff(want, load(t, fs.Path())); diff != "" {
		t.Fatalf("loaded state differs from the one written (-want +got):\n%s", diff)
	}
}

// A crash in the middle of an append leaves a line without its newline:
// that change was never acknowledged and is ignored. A damaged line
// before the end makes the state unusable, with the line named.
func TestJournalTornAndCorruptLines(t *testing.T) {
	fs, s := newJournaled(t, 5)
	for i := range 3 {
		if err := s.Update(fmt.Sprintf("migration.m.table.main.t%06d.load", i), func(r *Resource) { r.Status = StatusTainted }); err != nil {
			t.Fatal(err)
		}
	}
	want := s.Snapshot()
	j := fs.Path() + JournalSuffix
	good, err := os.ReadFile(j)
	if err != nil {
		t.Fatal(err)
	}
	torn := append(append([]byte{}, good...), `{"lineage":"lineage-1","base":1,"serial":5,"put":{"addr":"migration.m.table.main.t000004.lo`...)
	if err := os.WriteFile(j, torn, 0o600); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, load(t, fs.Path())); diff != "" {
		t.Fatalf("torn last line: (-want +got):\n%s", diff)
	}
	lines := bytes.SplitAfter(good, []byte("\n"))
	corrupt := append(append(append([]byte{}, lines[0]...), "{not json}\n"...), lines[1]...)
	if err := os.WriteFile(j, corrupt, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = NewFilesystem(fs.Path()).Load()
	var se *Error
	if !errors.As(err, &se) || !strings.Contains(se.Msg, "state journal is corrupt at line 2") || se.Path != j || se.Hint == "" {
		t.Fatalf("corrupt line: err = %v, want an *Error naming the journal and line 2, with a hint", err)
	}
}

// A full save rewrites the state file and removes the journal; a journal
// left by a crash between the two holds lines of an older base, which are
// ignored rather than applied twice.
func TestJournalAfterRewrite(t *testing.T) {
	fs, s := newJournaled(t, 5)
	addr := "migration.m.table.main.t000001.load"
	if err := s.Update(addr, func(r *Resource) { r.Status = StatusRunning }); err != nil {
		t.Fatal(err)
	}
	j := fs.Path() + JournalSuffix
	stale, err := os.ReadFile(j)
	if err != nil {
		t.Fatal(err)
	}
	final := s.Snapshot()
	final.Resources[addr].Status = StatusDone
	if err := fs.Save(final); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(j); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("journal after a full save: %v, want it removed", err)
	}
	if err := os.WriteFile(j, stale, 0o600); err != nil {
		t.Fatal(err)
	}
	got := load(t, fs.Path())
	if got.Resources[addr].Status != StatusDone || got.Serial != final.Serial {
		t.Fatalf("stale journal applied: status %s serial %d, want done and %d", got.Resources[addr].Status, got.Serial, final.Serial)
	}
}

// The journal is folded into the state file once it outgrows it, so a
// long apply rewrites the state only now and then.
func TestJournalCompacts(t *testing.T) {
	fs, s := newJournaled(t, 2)
	fs.lastSize = 1 // as if the state file were tiny
	rewrites := 0
	fs.beforeRename = func(string) error { rewrites++; return nil }
	for i := range 3000 {
		if err := s.Update("migration.m.table.main.t000000.load", func(r *Resource) { r.Generation = fmt.Sprint("g", i) }); err != nil {
			t.Fatal(err)
		}
	}
	if rewrites == 0 || rewrites > 10 {
		t.Fatalf("%d rewrites of the state file in 3,000 changes, want a few", rewrites)
	}
	if diff := cmp.Diff(s.Snapshot(), load(t, fs.Path())); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
}

// The next run's backup is the state as the interrupted run left it,
// journal included.
func TestJournalBackupIncludesJournal(t *testing.T) {
	fs, s := newJournaled(t, 3)
	if err := s.Update("migration.m.table.main.t000002.load", func(r *Resource) { r.Status = StatusRunning }); err != nil {
		t.Fatal(err)
	}
	crashed := s.Snapshot()
	next := NewFilesystem(fs.Path())
	f, err := next.Load()
	if err != nil {
		t.Fatal(err)
	}
	if err := next.Save(f); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(fs.Path() + BackupSuffix)
	if err != nil {
		t.Fatal(err)
	}
	backup, err := ReadBytes(b)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(crashed, backup); diff != "" {
		t.Fatalf("backup (-want +got):\n%s", diff)
	}
}
