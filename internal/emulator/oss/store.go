package oss

import (
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"hash/crc64"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// ecmaTable is the CRC-64/ECMA-182 table in the form OSS reports
// (CRC-64/XZ, Go's crc64.ECMA).
var ecmaTable = crc64.MakeTable(crc64.ECMA)

// bucket is one bucket's metadata; object bytes live in files.
type bucket struct {
	name    string
	objects map[string]*object
	created time.Time
}

// object is a stored object. Its file is never modified once written:
// replacing an object writes a new file, so readers holding the old one
// finish reading consistent bytes.
type object struct {
	key         string
	path        string
	size        int64
	etag        string
	crc         uint64
	objType     string // "Normal" or "Multipart"
	contentType string
	modified    time.Time
}

// upload is a multipart upload in progress.
type upload struct {
	id          string
	bucket, key string
	contentType string
	initiated   time.Time
	parts       map[int]*part
}

// part is one uploaded part.
type part struct {
	number   int
	path     string
	size     int64
	etag     string
	md5      []byte
	crc      uint64
	modified time.Time
}

// blob is a file just written with its digests.
type blob struct {
	path string
	size int64
	md5  []byte
	crc  uint64
}

// writeBlob streams r into a new file of the storage directory, hashing it
// on the way. On error the file is removed.
func (s *Server) writeBlob(r io.Reader) (blob, error) {
	f, err := os.CreateTemp(s.dir, "blob-*")
	if err != nil {
		return blob{}, err
	}
	m := md5.New()
	c := crc64.New(ecmaTable)
	n, err := io.Copy(io.MultiWriter(f, m, c), r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return blob{}, err
	}
	return blob{path: f.Name(), size: n, md5: m.Sum(nil), crc: c.Sum64()}, nil
}

// removeBlob deletes a file that no object or part refers to any more.
// Open readers keep working: the name goes, the bytes stay until closed.
func removeBlob(path string) {
	if path != "" {
		os.Remove(path)
	}
}

// lookup returns the object at bucket/key, or nil.
func (s *Server) lookup(bucketName, key string) *object {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.buckets[bucketName]
	if b == nil {
		return nil
	}
	return b.objects[key]
}

// store publishes o under its key, replacing (and removing the file of)
// any previous object. With forbidOverwrite an existing object is kept
// and store returns false.
func (s *Server) store(bucketName string, o *object, forbidOverwrite bool) bool {
	s.mu.Lock()
	b := s.buckets[bucketName]
	if b == nil {
		s.mu.Unlock()
		removeBlob(o.path)
		return false
	}
	old := b.objects[o.key]
	if old != nil && forbidOverwrite {
		s.mu.Unlock()
		removeBlob(o.path)
		return false
	}
	b.objects[o.key] = o
	s.mu.Unlock()
	if old != nil {
		removeBlob(old.path)
	}
	return true
}

// remove deletes bucket/key; a missing key is not an error.
func (s *Server) remove(bucketName, key string) {
	s.mu.Lock()
	var old *object
	if b := s.buckets[bucketName]; b != nil {
		old = b.objects[key]
		delete(b.objects, key)
	}
	s.mu.Unlock()
	if old != nil {
		removeBlob(old.path)
	}
}

// sortedKeys returns the bucket's keys starting with prefix, in UTF-8
// byte order, the order OSS lists in.
func (s *Server) sortedKeys(bucketName, prefix string) []*object {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.buckets[bucketName]
	if b == nil {
		return nil
	}
	var out []*object
	for k, o := range b.objects {
		if strings.HasPrefix(k, prefix) {
			out = append(out, o)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key < out[j].key })
	return out
}

// openRange opens o's file positioned at off, limited to n bytes.
func openRange(o *object, off, n int64) (io.ReadCloser, error) {
	f, err := os.Open(o.path)
	if err != nil {
		return nil, err
	}
	if _, err := f.Seek(off, io.SeekStart); err != nil {
		f.Close()
		return nil, err
	}
	return struct {
		io.Reader
		io.Closer
	}{io.LimitReader(f, n), f}, nil
}

// uploadFor returns the upload with id for bucket/key, or nil.
func (s *Server) uploadFor(id, bucketName, key string) *upload {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.uploads[id]
	if u == nil || u.bucket != bucketName || u.key != key {
		return nil
	}
	return u
}

// newUploadID returns a fresh upload ID (32 upper-case hex digits).
func (s *Server) newUploadID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return strings.ToUpper(hex.EncodeToString(b[:]))
}

// dropUpload forgets an upload and removes its part files.
func (s *Server) dropUpload(id string) bool {
	s.mu.Lock()
	u := s.uploads[id]
	delete(s.uploads, id)
	s.mu.Unlock()
	if u == nil {
		return false
	}
	for _, p := range u.parts {
		removeBlob(p.path)
	}
	return true
}

// blobPath returns a new file name in the storage directory.
func (s *Server) blobPath() string {
	return filepath.Join(s.dir, fmt.Sprintf("blob-%d", s.seq.Add(1)))
}
