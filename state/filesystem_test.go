package state

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func assertMode(t *testing.T, path string, want fs.FileMode) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Mode().Perm(); got != want {
		t.Errorf("%s: mode %v, want %v", filepath.Base(path), got, want)
	}
}

func assertNotExist(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Lstat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("%s exists (err %v)", filepath.Base(path), err)
	}
}

// dirEntries lists the names in dir, for checking that nothing stray is left.
func dirEntries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

func TestLoadMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ferry.state")
	f, err := NewFilesystem(path).Load()
	if f != nil || err != nil {
		t.Fatalf("Load of missing file = %v, %v; want nil, nil", f, err)
	}
	assertNotExist(t, path)
}

func TestSaveLoadBackupAndModes(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ferry.state")
	// A pre-existing state with loose permissions, as a user might copy in.
	orig := sampleFile()
	origBytes, _ := Marshal(orig)
	if err := os.WriteFile(path, origBytes, 0o644); err != nil {
		t.Fatal(err)
	}

	s := NewFilesystem(path)
	f, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	f.Resources["verify.sales"] = &Resource{Addr: "verify.sales", Kind: "verify", Status: StatusDone}
	if err := s.Save(f); err != nil {
		t.Fatal(err)
	}
	if f.Serial != 8 {
		t.Errorf("serial after first save = %d, want 8", f.Serial)
	}
	if got := mustRead(t, path+".backup"); !bytes.Equal(got, origBytes) {
		t.Errorf("backup is not the original:\n%s", got)
	}
	assertMode(t, path, 0o600)
	assertMode(t, path+".backup", 0o600)

	// A second save in the same run keeps the backup of the run's start.
	delete(f.Resources, "load.sales")
	if err := s.Save(f); err != nil {
		t.Fatal(err)
	}
	if got := mustRead(t, path+".backup"); !bytes.Equal(got, origBytes) {
		t.Error("second save replaced the backup")
	}

	got, err := NewFilesystem(path).Load()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(f, got); diff != "" {
		t.Errorf("loaded state (-saved +loaded):\n%s", diff)
	}
	if got.Serial != 9 {
		t.Errorf("serial = %d, want 9", got.Serial)
	}
	if diff := cmp.Diff([]string{"ferry.state", "ferry.state.backup"}, dirEntries(t, dir)); diff != "" {
		t.Errorf("files in state dir (-want +got):\n%s", diff)
	}
}

func TestFirstSaveWithoutPreviousHasNoBackup(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ferry.state")
	s := NewFilesystem(path)
	f := New("0.3.0", "lin")
	for i := 0; i < 2; i++ {
		if err := s.Save(f); err != nil {
			t.Fatal(err)
		}
	}
	// The second save must not back up the first one: the backup is the
	// state as the run found it, and there was none.
	assertNotExist(t, path+".backup")
	if f.Serial != 2 {
		t.Errorf("serial = %d, want 2", f.Serial)
	}
	assertMode(t, path, 0o600)
}

func TestUnreadableStateIsNeverOverwritten(t *testing.T) {
	tests := []struct {
		name    string
		content string
		wantMsg string
	}{
		{"truncated", sampleJSON[:200], "state file is corrupt: unexpected end of JSON input"},
		{"empty", "", "state file is corrupt: unexpected end of JSON input"},
		{"garbage", "\x00\x01garbage", "state file is corrupt: invalid character '\\x00' looking for beginning of value"},
		{"newer", `{"version": 3, "ferry_version": "2.0.1", "lineage": "x"}` + "\n",
			"state file was written by ferry 2.0.1 (format version 3); this ferry (format version 1) cannot read it — upgrade ferry"},
		{"unknown", `{"lineage": "x"}`, "unsupported state format version 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "ferry.state")
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			s := NewFilesystem(path)

			f, err := s.Load()
			if f != nil {
				t.Errorf("Load returned a state: %+v", f)
			}
			var se *Error
			if !errors.As(err, &se) {
				t.Fatalf("Load error %v is not *Error", err)
			}
			if want := path + ": " + tt.wantMsg; err.Error() != want {
				t.Errorf("Load error\n got: %s\nwant: %s", err, want)
			}
			if got := mustRead(t, path); string(got) != tt.content {
				t.Fatalf("Load changed the file: %q", got)
			}

			nf := New("0.3.0", "other")
			err = s.Save(nf)
			if want := "refusing to overwrite state: " + path + ": " + tt.wantMsg; err == nil || err.Error() != want {
				t.Errorf("Save error\n got: %v\nwant: %s", err, want)
			}
			if !errors.As(err, &se) || se.Hint == "" {
				t.Errorf("Save error does not carry an *Error with a hint: %v", err)
			}
			if nf.Serial != 0 {
				t.Errorf("refused Save changed serial to %d", nf.Serial)
			}
			if got := mustRead(t, path); string(got) != tt.content {
				t.Fatalf("refused Save changed the file: %q", got)
			}
			if diff := cmp.Diff([]string{"ferry.state"}, dirEntries(t, dir)); diff != "" {
				t.Errorf("refused Save left files (-want +got):\n%s", diff)
			}
		})
	}
}

func TestInterruptedWriteKeepsOldState(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ferry.state")
	s := NewFilesystem(path)
	f := New("0.3.0", "lin")
	if err := s.Save(f); err != nil {
		t.Fatal(err)
	}
	before := mustRead(t, path)

	// Fail between writing the temp file and renaming it, as a crash or a
	// full disk would; check the temp file really was there.
	var sawTemp string
	s.beforeRename = func(tmp string) error {
		if got := mustRead(t, tmp); !strings.Contains(string(got), `"serial": 2`) {
			t.Errorf("temp file does not hold the new state: %s", got)
		}
		sawTemp = tmp
		return errors.New("disk on fire")
	}
	f.Resources["load.x"] = &Resource{Addr: "load.x"}
	err := s.Save(f)
	if err == nil || err.Error() != "save state: disk on fire" {
		t.Fatalf("Save error = %v", err)
	}
	if sawTemp == "" || filepath.Dir(sawTemp) != dir {
		t.Fatalf("temp file %q not in the state dir", sawTemp)
	}
	if f.Serial != 1 {
		t.Errorf("failed Save left serial %d, want 1", f.Serial)
	}
	if got := mustRead(t, path); !bytes.Equal(got, before) {
		t.Errorf("state changed by a failed save:\n%s", got)
	}
	assertNotExist(t, sawTemp)

	// A crash leaves the temp file behind; it must not confuse Load or Save.
	stray := filepath.Join(dir, ".ferry.state.tmp-123")
	if err := os.WriteFile(stray, []byte(`{"version":1,"serial":99`), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := s.Load()
	if err != nil || got.Serial != 1 || len(got.Resources) != 0 {
		t.Fatalf("Load with stray temp = %+v, %v", got, err)
	}
	s.beforeRename = nil
	if err := s.Save(f); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Load(); got.Serial != 2 || got.Resources["load.x"] == nil {
		t.Errorf("Save after crash wrote %+v", got)
	}
}

func TestDumpErrored(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "prod.state")
	s := NewFilesystem(path)
	f := sampleFile()
	errPath, err := s.DumpErrored(f, errors.New("disk full"))
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "errored.prod.state"); errPath != want {
		t.Errorf("path = %s, want %s", errPath, want)
	}
	assertMode(t, errPath, 0o600)
	if f.Serial != 7 {
		t.Errorf("DumpErrored changed the caller's serial to %d", f.Serial)
	}
	// The errored file is the next serial, so moving it over the state
	// is a normal successor of what is on disk.
	want := f.Clone()
	want.Serial = 8
	got, err := NewFilesystem(errPath).Load()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("errored state (-want +got):\n%s", diff)
	}
	assertNotExist(t, path)

	// When even that write fails, the error names both failures.
	bad := NewFilesystem(filepath.Join(dir, "missing-dir", "x.state"))
	_, err = bad.DumpErrored(f, errors.New("disk full"))
	if err == nil || !strings.HasPrefix(err.Error(), "saving state failed (disk full), and writing "+filepath.Join(dir, "missing-dir", "errored.x.state")+" failed too: ") {
		t.Errorf("error = %v", err)
	}
}

func TestRecoveryHint(t *testing.T) {
	want := `Failed to save state to /srv/ferry.state.
The state ferry could not save was written to /srv/errored.ferry.state; it records work already done.
After fixing the error above, put it back with:

    mv /srv/errored.ferry.state /srv/ferry.state

and run the command again; ferry resumes from there.
`
	if diff := cmp.Diff(want, RecoveryHint("/srv/ferry.state", "/srv/errored.ferry.state")); diff != "" {
		t.Errorf("hint (-want +got):\n%s", diff)
	}
}
