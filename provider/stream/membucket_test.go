package stream

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/crc64"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ferry-dev/ferry/provider"
)

// errTransient is the retryable failure the test bucket injects.
var errTransient = errors.New("injected transient failure")

// fault makes calls to one operation fail. Calls are counted per
// operation (across keys matching the fault); calls number from..from+times-1
// fail, or every call from `from` on when times is negative.
type fault struct {
	op    string // "open", "put", "part", "create", "complete"
	key   string // substring the key must contain ("" matches all)
	from  int
	times int
	seen  int
}

// memBucket is an in-memory object store implementing provider.Bucket and
// provider.MultipartBucket, with fault injection and concurrency gauges.
type memBucket struct {
	name string
	// partDelay slows each UploadPart so concurrent parts overlap.
	partDelay time.Duration
	// noChecksum makes the store report no checksums, like a store that
	// keeps none.
	noChecksum bool
	// corrupt, when set, alters bytes as they are stored (as if damaged in
	// transit); the store's checksum is computed over what it stored.
	corrupt func(key string, data []byte) []byte

	mu      sync.Mutex
	objects map[string][]byte
	uploads int
	faults  []*fault
	calls   map[string]int

	partsInFlight, peakParts int
	bytesInFlight, peakBytes int64
}

func newMemBucket(name string) *memBucket {
	return &memBucket{name: name, objects: map[string][]byte{}, calls: map[string]int{}}
}

var _ provider.MultipartBucket = (*memBucket)(nil)

// plainBucket hides the multipart capability of a memBucket.
type plainBucket struct{ provider.Bucket }

func (b *memBucket) failOn(f fault) { b.mu.Lock(); b.faults = append(b.faults, &f); b.mu.Unlock() }

// hit counts a call and returns the injected error, if any.
func (b *memBucket) hit(op, key string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.calls[op]++
	b.calls[op+" "+key]++
	for _, f := range b.faults {
		if f.op != op || !strings.Contains(key, f.key) {
			continue
		}
		f.seen++
		if f.seen >= f.from && (f.times < 0 || f.seen < f.from+f.times) {
			return fmt.Errorf("%s %s: %w", op, key, errTransient)
		}
	}
	return nil
}

// count returns how many calls an operation ("open") or an operation on
// one key ("open a/b") received.
func (b *memBucket) count(op string) int { b.mu.Lock(); defer b.mu.Unlock(); return b.calls[op] }

func (b *memBucket) set(key string, data []byte) {
	b.mu.Lock()
	b.objects[key] = bytes.Clone(data)
	b.mu.Unlock()
}

func (b *memBucket) get(key string) ([]byte, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	d, ok := b.objects[key]
	return d, ok
}

func (b *memBucket) object(key string, data []byte) provider.Object {
	o := provider.Object{Key: key, Size: int64(len(data))}
	if !b.noChecksum {
		o.Checksum = "crc64ecma:" + strconv.FormatUint(crc64.Checksum(data, crc64.MakeTable(crc64.ECMA)), 10)
	}
	return o
}

func (b *memBucket) URL(key string) string { return "mem://" + b.name + "/" + key }

func (b *memBucket) List(_ context.Context, prefix string) ([]provider.Object, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []provider.Object
	for k, d := range b.objects {
		if strings.HasPrefix(k, prefix) {
			out = append(out, b.object(k, d))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

func (b *memBucket) Open(_ context.Context, key string, offset, length int64) (io.ReadCloser, error) {
	if err := b.hit("open", key); err != nil {
		return nil, err
	}
	d, ok := b.get(key)
	if !ok {
		return nil, fmt.Errorf("open %s: %w", key, provider.ErrNotFound)
	}
	end := int64(len(d))
	if length >= 0 && offset+length < end {
		end = offset + length
	}
	return io.NopCloser(bytes.NewReader(d[offset:end])), nil
}

func (b *memBucket) store(key string, r io.Reader, size int64) ([]byte, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	if int64(len(data)) != size {
		return nil, fmt.Errorf("put %s: got %d bytes, want %d", key, len(data), size)
	}
	if b.corrupt != nil {
		data = b.corrupt(key, data)
	}
	return data, nil
}

func (b *memBucket) Put(_ context.Context, key string, r io.Reader, size int64) (provider.Object, error) {
	if err := b.hit("put", key); err != nil {
		// Fail midway, after reading part of the body.
		_, _ = io.CopyN(io.Discard, r, size/2)
		return provider.Object{}, err
	}
	data, err := b.store(key, r, size)
	if err != nil {
		return provider.Object{}, err
	}
	b.set(key, data)
	return b.object(key, data), nil
}

func (b *memBucket) Delete(_ context.Context, keys []string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, k := range keys {
		delete(b.objects, k)
	}
	return nil
}

func (b *memBucket) CreateMultipart(_ context.Context, key string) (provider.MultipartUpload, error) {
	if err := b.hit("create", key); err != nil {
		return nil, err
	}
	b.mu.Lock()
	b.uploads++
	b.mu.Unlock()
	return &memUpload{b: b, key: key, parts: map[int][]byte{}}, nil
}

// openUploads is how many multipart uploads are neither completed nor
// aborted.
func (b *memBucket) openUploads() int { b.mu.Lock(); defer b.mu.Unlock(); return b.uploads }

type memUpload struct {
	b   *memBucket
	key string

	mu    sync.Mutex
	parts map[int][]byte
	done  bool
}

func (u *memUpload) UploadPart(_ context.Context, number int, r io.Reader, size int64) error {
	b := u.b
	b.mu.Lock()
	b.partsInFlight++
	b.bytesInFlight += size
	b.peakParts = max(b.peakParts, b.partsInFlight)
	b.peakBytes = max(b.peakBytes, b.bytesInFlight)
	b.mu.Unlock()
	defer func() {
		b.mu.Lock()
		b.partsInFlight--
		b.bytesInFlight -= size
		b.mu.Unlock()
	}()
	time.Sleep(b.partDelay)
	if err := b.hit("part", u.key); err != nil {
		return err
	}
	if number < 1 {
		return fmt.Errorf("part number %d", number)
	}
	data, err := b.store(u.key, r, size)
	if err != nil {
		return err
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.done {
		return errors.New("upload finished")
	}
	u.parts[number] = data
	return nil
}

func (u *memUpload) Complete(_ context.Context) (provider.Object, error) {
	if err := u.b.hit("complete", u.key); err != nil {
		return provider.Object{}, err
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.done {
		return provider.Object{}, errors.New("upload finished")
	}
	var all []byte
	for i := 1; i <= len(u.parts); i++ {
		p, ok := u.parts[i]
		if !ok {
			return provider.Object{}, fmt.Errorf("part %d missing", i)
		}
		all = append(all, p...)
	}
	u.done = true
	u.b.set(u.key, all)
	u.b.mu.Lock()
	u.b.uploads--
	u.b.mu.Unlock()
	return u.b.object(u.key, all), nil
}

func (u *memUpload) Abort(context.Context) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if !u.done {
		u.done = true
		u.b.mu.Lock()
		u.b.uploads--
		u.b.mu.Unlock()
	}
	u.parts = nil
	return nil
}
