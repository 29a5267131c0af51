package remote

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sync"

	"github.com/ferry-dev/ferry/state"
)

// Object names beside the state object.
const (
	lockSuffix    = ".lock"
	historySuffix = ".history.jsonl"
	// erroredPrefix names the local file DumpErrored writes, as
	// state.Filesystem does.
	erroredPrefix = "errored."
	// fileMode is the mode of the local errored-state file: states hold
	// connection details and operator names.
	fileMode = 0o600
)

// objectBackend is the state.Backend logic shared by S3 and OSS; the
// stores differ only in how they get, put and remove one object.
type objectBackend struct {
	store objectStore
	key   string

	mu sync.Mutex
	// seen is true once Load or Save has observed the state object;
	// etag is then the version observed, "" when there was none. A Save
	// before any Load expects no state to exist.
	seen     bool
	etag     string
	backedUp bool // the backup has been taken for this process
}

func newObjectBackend(store objectStore, key string) *objectBackend {
	return &objectBackend{store: store, key: key}
}

// String returns where the state lives: "s3://bucket/key" or
// "oss://bucket/key".
func (b *objectBackend) String() string { return b.store.url(b.key) }

// Key returns the state object's key.
func (b *objectBackend) Key() string { return b.key }

// Load reads the state object. A missing object returns (nil, nil) and
// the caller starts a new lineage. An object that cannot be used returns
// an *state.Error whose Path is String(); it is never modified. Load
// remembers the version it read: the next Save writes only over that
// version.
func (b *objectBackend) Load() (*state.File, error) {
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	b.mu.Lock()
	defer b.mu.Unlock()
	data, etag, err := b.store.get(ctx, b.key)
	if errors.Is(err, errNotFound) {
		b.seen, b.etag = true, ""
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load state: %w", err)
	}
	f, err := b.decode(data)
	if err != nil {
		return nil, err
	}
	b.seen, b.etag = true, etag
	return f, nil
}

func (b *objectBackend) decode(data []byte) (*state.File, error) {
	f, err := state.Read(bytes.NewReader(data))
	var se *state.Error
	if errors.As(err, &se) {
		se.Path = b.String()
	}
	return f, err
}

// Save increments f.Serial and writes f over the version of the state
// this backend last saw (see the package documentation for what each
// store guarantees). If the object changed since, Save fails with an
// error wrapping ErrStateChanged and writes nothing. If the stored object
// cannot be read as a state, Save refuses and the error wraps its
// *state.Error. The first Save of a backend copies the object it replaces
// to "<key>.backup". On failure f.Serial is left as it was.
func (b *objectBackend) Save(f *state.File) error {
	if f == nil {
		return errors.New("save state: nil file")
	}
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	b.mu.Lock()
	defer b.mu.Unlock()

	prev, cur, err := b.store.get(ctx, b.key)
	switch {
	case errors.Is(err, errNotFound):
		prev, cur = nil, ""
	case err != nil:
		return fmt.Errorf("save state: %w", err)
	default:
		if _, err := b.decode(prev); err != nil {
			return fmt.Errorf("refusing to overwrite state: %w", err)
		}
	}
	if want := b.expected(); cur != want && !sameETag(cur, want) {
		return b.changed(want, cur)
	}

	f.Serial++
	data, err := state.Marshal(f)
	if err != nil {
		f.Serial--
		return fmt.Errorf("save state: %w", err)
	}
	if !b.backedUp && prev != nil {
		if _, err := b.store.put(ctx, b.key+state.BackupSuffix, prev, condition{}); err != nil {
			f.Serial--
			return fmt.Errorf("save state backup: %w", err)
		}
	}
	cond := condition{absent: cur == "", etag: cur}
	etag, err := b.store.put(ctx, b.key, data, cond)
	if errors.Is(err, errPrecondition) {
		// A retried request whose first attempt succeeded is refused by
		// its own write: the object then holds exactly our bytes.
		if now, netag, gerr := b.store.get(ctx, b.key); gerr == nil && bytes.Equal(now, data) {
			etag, err = netag, nil
		} else {
			f.Serial--
			return b.changed(cur, netag)
		}
	}
	if err != nil {
		f.Serial--
		return fmt.Errorf("save state: %w", err)
	}
	b.seen, b.etag, b.backedUp = true, etag, true
	return nil
}

// expected is the ETag Save must find: the last one seen, or "" (no
// object) when nothing was seen yet.
func (b *objectBackend) expected() string {
	if !b.seen {
		return ""
	}
	return b.etag
}

// changed is the error of a Save that found another version than the one
// it expected.
func (b *objectBackend) changed(want, got string) error {
	var what string
	switch {
	case want == "" && got == "":
		what = "it was created and deleted again"
	case want == "":
		what = "it was created by another run"
	case got == "":
		what = "it was deleted"
	default:
		what = "another run saved it"
	}
	return fmt.Errorf("save state %s: %w (%s); nothing was written: run the command again to plan against the current state",
		b.String(), ErrStateChanged, what)
}

// ErroredPath returns where DumpErrored writes: "errored.<base name of
// the key>" in the working directory.
func (b *objectBackend) ErroredPath() string {
	return erroredPrefix + path.Base(b.key)
}

// DumpErrored is the last resort when Save failed: it writes f, with the
// serial Save would have given it, to ErroredPath (mode 0600) so the
// record of work already done is not lost, and returns that path. cause
// is the Save error; it is only used to say what happened if this write
// fails too.
func (b *objectBackend) DumpErrored(f *state.File, cause error) (string, error) {
	if f == nil {
		return "", errors.New("write errored state: nil file")
	}
	c := f.Clone()
	c.Serial++
	p := b.ErroredPath()
	data, err := state.Marshal(c)
	if err == nil {
		err = writeFile(p, data)
	}
	if err != nil {
		return "", fmt.Errorf("saving state failed (%v), and writing %s failed too: %w", cause, p, err)
	}
	return p, nil
}

// writeFile replaces the local file p with data through a temp file and
// a rename, so a crash never leaves half a state.
func writeFile(p string, data []byte) (err error) {
	dir := filepath.Dir(p)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(p)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
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
	return os.Rename(tmp.Name(), p)
}
