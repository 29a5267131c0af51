package state

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// recorder is a Persister that keeps a copy of every saved state.
type recorder struct {
	saved []*File
	err   error
}

func (r *recorder) Save(f *File) error {
	if r.err != nil {
		return r.err
	}
	f.Serial++
	r.saved = append(r.saved, f.Clone())
	return nil
}

func TestSyncUpdate(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name    string
		initial map[string]*Resource
		addr    string
		fn      func(r *Resource)
		want    *Resource
	}{
		{
			name: "creates missing",
			addr: "unload.sales",
			fn:   func(r *Resource) { r.Kind = "unload"; r.Status = StatusRunning },
			want: &Resource{Addr: "unload.sales", Kind: "unload", Status: StatusRunning, UpdatedAt: t0},
		},
		{
			name:    "updates existing",
			initial: map[string]*Resource{"load.sales": {Addr: "load.sales", Kind: "load", Status: StatusRunning, Fingerprint: "f1"}},
			addr:    "load.sales",
			fn:      func(r *Resource) { r.Status = StatusDone },
			want:    &Resource{Addr: "load.sales", Kind: "load", Status: StatusDone, Fingerprint: "f1", UpdatedAt: t0},
		},
		{
			name: "addr cannot be changed by fn",
			addr: "copy.a",
			fn:   func(r *Resource) { r.Addr = "copy.b" },
			want: &Resource{Addr: "copy.a", UpdatedAt: t0},
		},
		{
			name: "nil fn still records",
			addr: "copy.a",
			want: &Resource{Addr: "copy.a", UpdatedAt: t0},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := New("0.3.0", "lin")
			for a, r := range tt.initial {
				f.Resources[a] = r
			}
			rec := &recorder{}
			s := NewSync(rec, f)
			s.now = func() time.Time { return t0 }
			if err := s.Update(tt.addr, tt.fn); err != nil {
				t.Fatal(err)
			}
			if len(rec.saved) != 1 {
				t.Fatalf("saved %d times, want 1", len(rec.saved))
			}
			want := New("0.3.0", "lin")
			want.Serial = 1
			for a, r := range tt.initial {
				want.Resources[a] = r
			}
			want.Resources[tt.addr] = tt.want
			if diff := cmp.Diff(want, rec.saved[0]); diff != "" {
				t.Errorf("saved (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(want, s.Snapshot()); diff != "" {
				t.Errorf("snapshot (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSyncSaveFailureKeepsChange(t *testing.T) {
	rec := &recorder{err: errors.New("disk full")}
	s := NewSync(rec, New("0.3.0", "lin"))
	err := s.Update("load.x", func(r *Resource) { r.Status = StatusDone })
	if err == nil || err.Error() != "save state after updating load.x: disk full" {
		t.Fatalf("err = %v", err)
	}
	if r := s.Snapshot().Resources["load.x"]; r == nil || r.Status != StatusDone {
		t.Errorf("change lost after failed save: %+v", r)
	}
	if err := s.Update("", nil); err == nil || err.Error() != "update state: empty resource address" {
		t.Errorf("empty addr: %v", err)
	}
}

func TestSyncRemove(t *testing.T) {
	f := New("0.3.0", "lin")
	f.Resources["a"] = &Resource{Addr: "a"}
	f.Resources["b"] = &Resource{Addr: "b"}
	rec := &recorder{}
	s := NewSync(rec, f)
	if err := s.Remove("missing"); err != nil {
		t.Fatal(err)
	}
	if len(rec.saved) != 0 {
		t.Errorf("removing a missing addr saved %d times", len(rec.saved))
	}
	if err := s.Remove("a"); err != nil {
		t.Fatal(err)
	}
	if len(rec.saved) != 1 {
		t.Fatalf("saved %d times, want 1", len(rec.saved))
	}
	if diff := cmp.Diff([]string{"b"}, rec.saved[0].Addrs()); diff != "" {
		t.Errorf("addrs after remove (-want +got):\n%s", diff)
	}
	rec.err = errors.New("ro")
	if err := s.Remove("b"); err == nil || err.Error() != "save state after removing b: ro" {
		t.Errorf("err = %v", err)
	}
}

func TestSyncSnapshotIsACopy(t *testing.T) {
	s := NewSync(&recorder{}, nil)
	if err := s.Update("a", func(r *Resource) { r.Observed = map[string]string{"rows": "1"} }); err != nil {
		t.Fatal(err)
	}
	snap := s.Snapshot()
	snap.Resources["a"].Observed["rows"] = "999"
	snap.Resources["b"] = &Resource{Addr: "b"}
	again := s.Snapshot()
	if again.Resources["a"].Observed["rows"] != "1" || again.Resources["b"] != nil {
		t.Errorf("snapshot shares memory with the writer: %+v", again.Resources)
	}
}

// TestSyncConcurrentFilesystem runs many writers against a real file and
// checks that every change and every serial made it to disk.
func TestSyncConcurrentFilesystem(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ferry.state")
	fsys := NewFilesystem(path)
	s := NewSync(fsys, New("0.3.0", "lin"))
	const workers, steps = 8, 5
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			addr := fmt.Sprintf("load.t%d", w)
			for i := 0; i < steps; i++ {
				if err := s.Update(addr, func(r *Resource) {
					r.Observed = map[string]string{"step": fmt.Sprint(i)}
				}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	got, err := fsys.Load()
	if err != nil {
		t.Fatal(err)
	}
	if got.Serial != workers*steps {
		t.Errorf("serial = %d, want %d", got.Serial, workers*steps)
	}
	if len(got.Resources) != workers {
		t.Fatalf("%d resources, want %d", len(got.Resources), workers)
	}
	for a, r := range got.Resources {
		if r.Observed["step"] != fmt.Sprint(steps-1) {
			t.Errorf("%s: last step %q", a, r.Observed["step"])
		}
	}
	if diff := cmp.Diff(s.Snapshot(), got); diff != "" {
		t.Errorf("disk differs from memory (-mem +disk):\n%s", diff)
	}
}
