package stream

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/ferry-dev/ferry/provider"
)

// Copier copies objects between any two provider.Buckets by reading from
// one and writing to the other, with the bytes passing through this
// process. It is safe for concurrent use; each Copy has its own bandwidth
// budget.
type Copier struct {
	opts Options
	// buffers recycles part buffers across objects and copies.
	buffers sync.Pool
	// buffered and peakBuffered count part bytes held in memory.
	buffered, peakBuffered atomic.Int64
}

var _ provider.Copier = (*Copier)(nil)

// New returns a Copier with opts, zero fields taking their defaults.
func New(opts Options) *Copier {
	return &Copier{opts: opts.withDefaults()}
}

// transfer is one source object to copy and where it goes.
type transfer struct {
	src    provider.Object
	dstKey string
}

// Copy copies every object under req.SrcPrefix to the same relative key
// under req.DstPrefix, skipping objects the destination already holds
// with the same size and, when both sides know a checksum of the same
// algorithm, the same checksum.
//
// Each side is listed once. Objects are copied Transfers at a time; the
// first object that fails for good cancels the others, and the error
// names its key. An object whose stored checksum disagrees with the bytes
// sent is deleted and copied again, up to Retries times; when every
// attempt disagrees the error is a *ChecksumMismatchError. A failed object
// leaves no destination object behind: single uploads replace the object
// only once complete, multipart uploads are aborted, and a mismatching
// object is deleted.
//
// Result.Objects lists the destination objects of the source objects,
// copied or skipped, sorted by key; Bytes counts bytes copied, not those
// skipped. Progress totals cover the objects that need copying.
func (c *Copier) Copy(ctx context.Context, req provider.CopyRequest) (*provider.CopyResult, error) {
	if req.Src == nil || req.Dst == nil {
		return nil, errors.New("copy: source and destination buckets are required")
	}
	srcObjs, err := req.Src.List(ctx, req.SrcPrefix)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", req.Src.URL(req.SrcPrefix), err)
	}
	dstObjs, err := req.Dst.List(ctx, req.DstPrefix)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", req.Dst.URL(req.DstPrefix), err)
	}

	todo, done := plan(srcObjs, dstObjs, req.SrcPrefix, req.DstPrefix)
	res := &provider.CopyResult{Objects: done, Skipped: int64(len(done))}
	var total int64
	for _, t := range todo {
		total += t.src.Size
	}
	prog := startProgress(req.Progress, int64(len(todo)), total)

	run := &copyRun{
		c:      c,
		req:    req,
		bucket: newTokenBucket(c.opts.BandwidthLimit),
		prog:   prog,
	}
	copied, err := run.all(ctx, todo)
	prog.finish()
	if err != nil {
		return nil, err
	}
	for _, o := range copied {
		res.Objects = append(res.Objects, o)
		res.Bytes += o.Size
	}
	res.Copied = int64(len(copied))
	sort.Slice(res.Objects, func(i, j int) bool { return res.Objects[i].Key < res.Objects[j].Key })
	return res, nil
}

// plan pairs every source object with its destination key and splits them
// into objects to copy and destination objects that already match.
func plan(src, dst []provider.Object, srcPrefix, dstPrefix string) (todo []transfer, done []provider.Object) {
	existing := make(map[string]provider.Object, len(dst))
	for _, o := range dst {
		existing[o.Key] = o
	}
	for _, o := range src {
		key := destKey(o.Key, srcPrefix, dstPrefix)
		if d, ok := existing[key]; ok && matches(o, d) {
			done = append(done, d)
			continue
		}
		todo = append(todo, transfer{src: o, dstKey: key})
	}
	return todo, done
}

// matches reports whether dst already holds src's content: same size and,
// when both checksums are known and comparable, the same checksum.
func matches(src, dst provider.Object) bool {
	if src.Size != dst.Size {
		return false
	}
	if sameAlgorithm(src.Checksum, dst.Checksum) {
		return src.Checksum == dst.Checksum
	}
	return true
}

// destKey maps a source key to its destination key: the part after
// srcPrefix, appended to dstPrefix. When the source prefix names a folder
// ("data/") and the destination prefix lacks the trailing slash
// ("stage/t1"), the slash is added so the object lands inside the folder.
func destKey(key, srcPrefix, dstPrefix string) string {
	rel := strings.TrimPrefix(key, srcPrefix)
	if dstPrefix == "" || rel == "" || strings.HasSuffix(dstPrefix, "/") || strings.HasPrefix(rel, "/") {
		return dstPrefix + rel
	}
	if srcPrefix == "" || strings.HasSuffix(srcPrefix, "/") {
		return dstPrefix + "/" + rel
	}
	return dstPrefix + rel
}

// copyRun is the state of one Copy call shared by its workers.
type copyRun struct {
	c      *Copier
	req    provider.CopyRequest
	bucket *tokenBucket
	prog   *progress
}

// all copies todo with Transfers workers and returns the stored objects.
// The first error cancels the remaining work and is the one returned.
func (r *copyRun) all(ctx context.Context, todo []transfer) ([]provider.Object, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	jobs := make(chan transfer)
	var (
		mu       sync.Mutex
		copied   []provider.Object
		firstErr error
		wg       sync.WaitGroup
	)
	fail := func(err error) {
		mu.Lock()
		if firstErr == nil {
			firstErr = err
		}
		mu.Unlock()
		cancel(err)
	}
	workers := min(r.c.opts.Transfers, len(todo))
	for range workers {
		wg.Go(func() {
			for t := range jobs {
				obj, err := r.one(ctx, t)
				if err != nil {
					fail(err)
					continue
				}
				r.prog.objects.Add(1)
				mu.Lock()
				copied = append(copied, obj)
				mu.Unlock()
			}
		})
	}
feed:
	for _, t := range todo {
		select {
		case jobs <- t:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()

	if firstErr != nil {
		return nil, firstErr
	}
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	return copied, nil
}

// one copies a single object and checks the stored checksum. A mismatch
// means the destination holds other bytes than were sent: the object is
// deleted and copied again from the start, up to Retries times, whatever
// IsRetryable says, since the damage happened in transit or at rest and
// says nothing about the next attempt. Other failures have already been
// retried where they happened (per object or per part).
func (r *copyRun) one(ctx context.Context, t transfer) (provider.Object, error) {
	if err := ctx.Err(); err != nil {
		return provider.Object{}, fmt.Errorf("copy %s: %w", t.src.Key, context.Cause(ctx))
	}
	var obj provider.Object
	err := r.c.opts.retryIf(ctx, isChecksumMismatch, func() error {
		sent := &tally{total: &r.prog.bytes}
		o, err := r.attempt(ctx, t, sent)
		if err != nil {
			// The bytes of a discarded attempt were never delivered.
			sent.undo()
			return err
		}
		obj = o
		return nil
	})
	if err != nil {
		return provider.Object{}, fmt.Errorf("copy %s: %w", t.src.Key, err)
	}
	return obj, nil
}

// attempt copies t once — server-side when the destination can copy from
// the source's store, else in parts when it is large and the destination
// can take parts, else in one stream — and compares the CRC of the bytes sent with the stored
// object's checksum.
func (r *copyRun) attempt(ctx context.Context, t transfer, sent *tally) (provider.Object, error) {
	var (
		obj provider.Object
		crc uint64
		err error
	)
	if sc, ok := r.req.Dst.(provider.ServerCopier); ok {
		o, crc, copied, err := sc.CopyFrom(ctx, r.req.Src, t.src.Key, t.dstKey)
		if err != nil {
			return provider.Object{}, err
		}
		if copied {
			if o.Size != t.src.Size {
				// The source changed since it was listed: do not keep
				// other bytes than the listing promised.
				r.cleanup(ctx, t.dstKey)
				return provider.Object{}, fmt.Errorf("copy %s: source has %d bytes, listed with %d", r.req.Src.URL(t.src.Key), o.Size, t.src.Size)
			}
			sent.add(o.Size)
			return r.check(ctx, t, o, crc)
		}
	}
	mb, ok := r.req.Dst.(provider.MultipartBucket)
	if ok && t.src.Size > 0 && t.src.Size >= r.c.opts.MultipartThreshold {
		obj, crc, err = r.multipart(ctx, mb, t, sent)
	} else {
		obj, crc, err = r.single(ctx, t, sent)
	}
	if err != nil {
		return provider.Object{}, err
	}
	return r.check(ctx, t, obj, crc)
}

// isChecksumMismatch reports whether err says the destination stored
// other bytes than were sent.
func isChecksumMismatch(err error) bool {
	var m *ChecksumMismatchError
	return errors.As(err, &m)
}

// getBuffer returns a buffer of n bytes for one part, counting it as held.
func (c *Copier) getBuffer(n int64) *[]byte {
	bp, _ := c.buffers.Get().(*[]byte)
	if bp == nil || int64(cap(*bp)) < n {
		b := make([]byte, n)
		bp = &b
	}
	*bp = (*bp)[:n]
	held := c.buffered.Add(n)
	for {
		peak := c.peakBuffered.Load()
		if held <= peak || c.peakBuffered.CompareAndSwap(peak, held) {
			break
		}
	}
	return bp
}

// putBuffer returns a part buffer to the pool.
func (c *Copier) putBuffer(bp *[]byte) {
	c.buffered.Add(-int64(len(*bp)))
	c.buffers.Put(bp)
}
