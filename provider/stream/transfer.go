package stream

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/ferry-dev/ferry/provider"
)

// cleanupTimeout bounds the Abort or Delete that follows a failure. It
// runs even when the copy's context is cancelled, since leaving a partial
// upload or a corrupt object behind is worse than a short delay.
const cleanupTimeout = 30 * time.Second

// single streams a whole object from Open into Put, hashing it on the way,
// and returns the stored object with the CRC of the bytes sent. Nothing is
// held in memory beyond the reader's own buffers; a failed attempt is
// retried from the start of the object.
func (r *copyRun) single(ctx context.Context, t transfer, sent *tally) (provider.Object, uint64, error) {
	var (
		obj provider.Object
		crc uint64
	)
	err := r.c.opts.retry(ctx, func() error {
		rc, err := r.req.Src.Open(ctx, t.src.Key, 0, -1)
		if err != nil {
			return fmt.Errorf("open: %w", err)
		}
		defer rc.Close()
		lr := &limitedReader{ctx: ctx, r: rc, bucket: r.bucket, sent: sent}
		hr := &hashingReader{r: lr, want: t.src.Size, key: t.src.Key}
		o, err := r.req.Dst.Put(ctx, t.dstKey, hr, t.src.Size)
		if err == nil && hr.n != t.src.Size {
			// The store accepted fewer bytes than it was offered: do not
			// leave the short object behind.
			r.cleanup(ctx, t.dstKey)
			err = fmt.Errorf("put %s: destination took %d of %d bytes", r.req.Dst.URL(t.dstKey), hr.n, t.src.Size)
		}
		if err != nil {
			// Stores name the object in their own errors.
			sent.add(-lr.n)
			return err
		}
		obj, crc = o, hr.crc
		return nil
	})
	return obj, crc, err
}

// check compares the CRC computed while sending with the stored object's
// checksum, deleting the object when they differ, so that neither this
// copy nor a later one (which would skip an object of the right size)
// ever accepts it.
func (r *copyRun) check(ctx context.Context, t transfer, obj provider.Object, crc uint64) (provider.Object, error) {
	if obj.Key == "" {
		obj.Key = t.dstKey
	}
	if err := verifyStored(t.dstKey, crc, obj.Checksum); err != nil {
		r.cleanup(ctx, t.dstKey)
		return provider.Object{}, err
	}
	return obj, nil
}

// cleanup deletes a destination object that must not stay, ignoring the
// copy's cancellation. Its own failure is not reported: the original
// error matters more, and a rerun recopies the object anyway.
func (r *copyRun) cleanup(ctx context.Context, key string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	_ = r.req.Dst.Delete(ctx, []string{key})
}

// multipart copies a large object as ranged reads of the source, each
// uploaded as one part, PartConcurrency parts at a time, and returns the
// stored object with the CRC of the bytes sent. Parts are hashed
// independently and their CRCs combined in order, so the object's CRC is
// known without reading it twice. Any failure aborts the upload, so no
// partial object is ever visible.
func (r *copyRun) multipart(ctx context.Context, mb provider.MultipartBucket, t transfer, sent *tally) (provider.Object, uint64, error) {
	size := t.src.Size
	ps := r.c.opts.partSizeFor(size)
	nparts := int((size + ps - 1) / ps)

	var up provider.MultipartUpload
	err := r.c.opts.retry(ctx, func() error {
		var err error
		up, err = mb.CreateMultipart(ctx, t.dstKey)
		return err
	})
	if err != nil {
		return provider.Object{}, 0, fmt.Errorf("start upload to %s: %w", mb.URL(t.dstKey), err)
	}

	crcs := make([]uint64, nparts)
	if err := r.parts(ctx, up, t, ps, crcs, sent); err != nil {
		r.abort(ctx, up)
		return provider.Object{}, 0, err
	}
	crc := crcs[0]
	for i := 1; i < nparts; i++ {
		crc = crcCombine(crc, crcs[i], partLen(size, ps, i))
	}

	var obj provider.Object
	err = r.c.opts.retry(ctx, func() error {
		var err error
		obj, err = up.Complete(ctx)
		return err
	})
	if err != nil {
		r.abort(ctx, up)
		return provider.Object{}, 0, fmt.Errorf("complete upload to %s: %w", mb.URL(t.dstKey), err)
	}
	return obj, crc, nil
}

// parts uploads every part of t with PartConcurrency workers, storing each
// part's CRC in crcs. The first failing part stops the others.
func (r *copyRun) parts(ctx context.Context, up provider.MultipartUpload, t transfer, ps int64, crcs []uint64, sent *tally) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	var (
		wg       sync.WaitGroup
		once     sync.Once
		firstErr error
	)
	next := make(chan int)
	for range min(r.c.opts.PartConcurrency, len(crcs)) {
		wg.Go(func() {
			for i := range next {
				if err := r.part(ctx, up, t, ps, i, crcs, sent); err != nil {
					once.Do(func() { firstErr = err })
					cancel(err)
				}
			}
		})
	}
feed:
	for i := range crcs {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return context.Cause(ctx)
}

// part reads part i of the source into a pooled buffer and uploads it.
// The buffer lets a failed upload be retried without reading the source
// again; a failed read is retried on its own.
func (r *copyRun) part(ctx context.Context, up provider.MultipartUpload, t transfer, ps int64, i int, crcs []uint64, sent *tally) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	off := int64(i) * ps
	n := partLen(t.src.Size, ps, i)
	bp := r.c.getBuffer(n)
	defer r.c.putBuffer(bp)
	buf := *bp

	err := r.c.opts.retry(ctx, func() error {
		rc, err := r.req.Src.Open(ctx, t.src.Key, off, n)
		if err != nil {
			return fmt.Errorf("open: %w", err)
		}
		defer rc.Close()
		lr := &limitedReader{ctx: ctx, r: rc, bucket: r.bucket, sent: sent}
		// Hash each read as it lands, while the bytes are still in the
		// CPU's cache, rather than the whole part again afterwards.
		cr := &crcReader{r: lr}
		if _, err := io.ReadFull(cr, buf); err != nil {
			sent.add(-lr.n)
			return err
		}
		crcs[i] = cr.crc
		return nil
	})
	if err != nil {
		return fmt.Errorf("read part %d (bytes %d-%d): %w", i+1, off, off+n-1, err)
	}

	err = r.c.opts.retry(ctx, func() error {
		return up.UploadPart(ctx, i+1, bytes.NewReader(buf), n)
	})
	if err != nil {
		return fmt.Errorf("upload part %d: %w", i+1, err)
	}
	return nil
}

// abort discards a failed multipart upload, ignoring the copy's
// cancellation. Its own failure is not reported; stores expire abandoned
// uploads by lifecycle rule, and the object itself was never published.
func (r *copyRun) abort(ctx context.Context, up provider.MultipartUpload) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	_ = up.Abort(ctx)
}

// partLen is the length of part i of an object of size bytes cut into
// parts of ps bytes; only the last part may be shorter.
func partLen(size, ps int64, i int) int64 {
	return min(ps, size-int64(i)*ps)
}
