package local

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc64"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"

	"github.com/ferry-dev/ferry/provider"
)

var _ provider.Bucket = (*Bucket)(nil)

// tempMarker is part of the name of every file Put is still writing; List
// skips such files so that a crashed Put never shows up as an object.
const tempMarker = ".ferry-tmp-"

// uploadsDir is the folder under the bucket root where Put writes its
// temporary files; List never shows it.
const uploadsDir = ".ferry-uploads"

// crcTable is the CRC-64/ECMA table, the checksum OSS reports, so a local
// bucket and an OSS bucket give comparable object checksums.
var crcTable = crc64.MakeTable(crc64.ECMA)

// Bucket is a directory used as an object store. Keys are slash-separated
// paths relative to the root directory.
type Bucket struct {
	root string
}

// NewBucket returns the bucket rooted at root joined with prefix, creating
// the directory if needed. The prefix lets several migrations share one
// directory without seeing each other's objects.
func NewBucket(root, prefix string) (*Bucket, error) {
	dir, err := filepath.Abs(filepath.Join(root, filepath.FromSlash(prefix)))
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create bucket directory: %w", err)
	}
	return &Bucket{root: dir}, nil
}

// Root returns the absolute directory backing the bucket.
func (b *Bucket) Root() string { return b.root }

// Path returns the local file path of key, for engines (such as DuckDB)
// that read files directly.
func (b *Bucket) Path(key string) string {
	return filepath.Join(b.root, filepath.FromSlash(path.Clean("/"+key)))
}

// URL returns "file://" followed by the absolute path of key. A key ending
// in "/" keeps its trailing slash, as folder URLs do.
func (b *Bucket) URL(key string) string {
	u := "file://" + filepath.ToSlash(b.Path(key))
	if strings.HasSuffix(key, "/") && !strings.HasSuffix(u, "/") {
		u += "/"
	}
	return u
}

// List returns every object whose key starts with prefix, sorted by key.
// Checksum is left empty: computing it would mean reading every file.
func (b *Bucket) List(ctx context.Context, prefix string) ([]provider.Object, error) {
	var out []provider.Object
	err := walk(ctx, b.root, prefix, func(key string, size int64) {
		out = append(out, provider.Object{Key: key, Size: size})
	})
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", b.URL(prefix), err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// wanted reports whether a walk goes into the folder key (no trailing
// slash): only when it can hold a key starting with prefix.
func wanted(key, prefix string) bool {
	return strings.HasPrefix(key+"/", prefix) || strings.HasPrefix(prefix, key+"/")
}

// listed reports whether the file key named name is an object List shows.
func listed(name, key, prefix string) bool {
	return !strings.Contains(name, tempMarker) && strings.HasPrefix(key, prefix)
}

// Open reads length bytes of key from offset (length < 0: to the end).
func (b *Bucket) Open(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error) {
	f, err := os.Open(b.Path(key))
	if err != nil {
		// A key below an existing object (a/b where a is an object) is
		// missing too, as in an object store.
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
			return nil, fmt.Errorf("open %s: %w", b.URL(key), provider.ErrNotFound)
		}
		return nil, fmt.Errorf("open %s: %w", b.URL(key), err)
	}
	if info, err := f.Stat(); err != nil || info.IsDir() {
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", b.URL(key), err)
		}
		// A folder is not an object.
		return nil, fmt.Errorf("open %s: %w", b.URL(key), provider.ErrNotFound)
	}
	if offset > 0 {
		if _, err := f.Seek(offset, io.SeekStart); err != nil {
			f.Close()
			return nil, fmt.Errorf("open %s: %w", b.URL(key), err)
		}
	}
	if length < 0 {
		return f, nil
	}
	return &limitedFile{Reader: io.LimitReader(f, length), f: f}, nil
}

// limitedFile reads a range of a file and closes the file.
type limitedFile struct {
	io.Reader
	f *os.File
}

// Close closes the underlying file.
func (l *limitedFile) Close() error { return l.f.Close() }

// Put writes r to a temporary file under the bucket's uploads folder, checksumming it on the
// way, syncs it and renames it into place, so readers see either the old
// object or the whole new one. A body shorter or longer than size fails.
func (b *Bucket) Put(ctx context.Context, key string, r io.Reader, size int64) (provider.Object, error) {
	dst := b.Path(key)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return provider.Object{}, fmt.Errorf("put %s: %w", b.URL(key), err)
	}
	// The temporary file lives outside the key's folder, like an
	// unfinished multipart upload in an object store: a LOAD reading the
	// folder after a crash must not find it.
	uploads := filepath.Join(b.Root(), uploadsDir)
	if err := os.MkdirAll(uploads, 0o755); err != nil {
		return provider.Object{}, fmt.Errorf("put %s: %w", b.URL(key), err)
	}
	tmp, err := os.CreateTemp(uploads, "."+filepath.Base(dst)+tempMarker+"*")
	if err != nil {
		return provider.Object{}, fmt.Errorf("put %s: %w", b.URL(key), err)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := crc64.New(crcTable)
	n, err := io.Copy(io.MultiWriter(tmp, h), ctxReader{ctx: ctx, r: r})
	if err != nil {
		return provider.Object{}, fmt.Errorf("put %s: %w", b.URL(key), err)
	}
	if size >= 0 && n != size {
		return provider.Object{}, fmt.Errorf("put %s: body has %d bytes, want %d", b.URL(key), n, size)
	}
	if err := tmp.Sync(); err != nil {
		return provider.Object{}, fmt.Errorf("put %s: %w", b.URL(key), err)
	}
	if err := tmp.Close(); err != nil {
		return provider.Object{}, fmt.Errorf("put %s: %w", b.URL(key), err)
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return provider.Object{}, fmt.Errorf("put %s: %w", b.URL(key), err)
	}
	done = true
	return provider.Object{Key: key, Size: n, Checksum: "crc64ecma:" + strconv.FormatUint(h.Sum64(), 10)}, nil
}

// CopyFrom copies an object of another local bucket on the same file
// system by a hard link, published under dstKey by rename like Put. The
// CRC is read from the source file. It reports ok=false (nothing written)
// for other buckets and when the file system refuses the link (another
// device, no hard links).
func (b *Bucket) CopyFrom(ctx context.Context, src provider.Bucket, srcKey, dstKey string) (provider.Object, uint64, bool, error) {
	sb, isLocal := src.(*Bucket)
	if !isLocal {
		return provider.Object{}, 0, false, nil
	}
	f, err := os.Open(sb.Path(srcKey))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			err = provider.ErrNotFound
		}
		return provider.Object{}, 0, false, fmt.Errorf("copy %s: %w", sb.URL(srcKey), err)
	}
	defer f.Close()
	h := crc64.New(crcTable)
	n, err := io.Copy(h, ctxReader{ctx: ctx, r: f})
	if err != nil {
		return provider.Object{}, 0, false, fmt.Errorf("copy %s: %w", sb.URL(srcKey), err)
	}
	dst := b.Path(dstKey)
	uploads := filepath.Join(b.Root(), uploadsDir)
	for _, d := range []string{filepath.Dir(dst), uploads} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return provider.Object{}, 0, false, fmt.Errorf("put %s: %w", b.URL(dstKey), err)
		}
	}
	var rnd [6]byte
	_, _ = rand.Read(rnd[:])
	tmp := filepath.Join(uploads, "."+filepath.Base(dst)+tempMarker+hex.EncodeToString(rnd[:]))
	if err := os.Link(f.Name(), tmp); err != nil {
		// Another device, or a file system without hard links: stream.
		return provider.Object{}, 0, false, nil
	}
	if err := os.Rename(tmp, dst); err != nil {
		os.Remove(tmp)
		return provider.Object{}, 0, false, fmt.Errorf("put %s: %w", b.URL(dstKey), err)
	}
	crc := h.Sum64()
	return provider.Object{Key: dstKey, Size: n, Checksum: "crc64ecma:" + strconv.FormatUint(crc, 10)}, crc, true, nil
}

var _ provider.ServerCopier = (*Bucket)(nil)

// ctxReader stops a copy when its context is cancelled.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

// Read reads from the underlying reader unless the context is done.
func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// Delete removes the keys, then every parent folder left empty, up to the
// bucket root. Missing keys are not an error.
func (b *Bucket) Delete(ctx context.Context, keys []string) error {
	for _, key := range keys {
		if err := ctx.Err(); err != nil {
			return err
		}
		p := b.Path(key)
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("delete %s: %w", b.URL(key), err)
		}
		for dir := filepath.Dir(p); dir != b.root && strings.HasPrefix(dir, b.root); dir = filepath.Dir(dir) {
			if os.Remove(dir) != nil {
				break // not empty, or already gone
			}
		}
	}
	return nil
}
