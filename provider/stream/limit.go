package stream

import (
	"context"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ferry-dev/ferry/provider"
)

// readChunk bounds a single read through the bandwidth limiter, so that a
// large read does not claim a long stretch of the budget at once.
const readChunk = 64 << 10

// tokenBucket is a bandwidth budget shared by every transfer of a copy.
// Bytes are charged after they are read; a transfer that overdraws the
// budget sleeps until it is paid back, so the long-run rate never exceeds
// the limit. The bucket starts empty and holds at most a quarter second
// of budget, which keeps bursts after an idle spell short.
type tokenBucket struct {
	rate  float64 // bytes per second
	burst float64

	mu     sync.Mutex
	tokens float64
	last   time.Time
}

// newTokenBucket returns a bucket for limit bytes per second, or nil when
// limit is not positive (no limit).
func newTokenBucket(limit int64) *tokenBucket {
	if limit <= 0 {
		return nil
	}
	return &tokenBucket{
		rate:  float64(limit),
		burst: float64(limit) / 4,
		last:  time.Now(),
	}
}

// wait charges n bytes and sleeps for as long as the budget is overdrawn.
// It returns early with ctx's error when ctx ends.
func (b *tokenBucket) wait(ctx context.Context, n int) error {
	if b == nil || n <= 0 {
		return nil
	}
	b.mu.Lock()
	now := time.Now()
	b.tokens += now.Sub(b.last).Seconds() * b.rate
	if b.tokens > b.burst {
		b.tokens = b.burst
	}
	b.last = now
	b.tokens -= float64(n)
	debt := -b.tokens
	b.mu.Unlock()
	if debt <= 0 {
		return nil
	}
	t := time.NewTimer(time.Duration(debt / b.rate * float64(time.Second)))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// limitedReader reads through a tokenBucket and counts the bytes it
// passes into a progress total.
type limitedReader struct {
	ctx    context.Context
	r      io.Reader
	bucket *tokenBucket
	// sent receives the bytes read.
	sent *tally
	n    int64
}

// Read implements io.Reader.
func (l *limitedReader) Read(p []byte) (int, error) {
	if l.bucket != nil && len(p) > readChunk {
		p = p[:readChunk]
	}
	n, err := l.r.Read(p)
	if n > 0 {
		l.n += int64(n)
		l.sent.add(int64(n))
		if werr := l.bucket.wait(l.ctx, n); werr != nil && err == nil {
			err = werr
		}
	}
	return n, err
}

// tally counts the bytes one attempt at an object has read, adding them
// to the copy's running total as they come, so that an attempt that is
// thrown away (a failed object, a checksum mismatch) can take its bytes
// back out of the progress it reported.
type tally struct {
	total *atomic.Int64
	n     atomic.Int64
}

// add counts n more bytes (negative: bytes of a failed read given back).
func (t *tally) add(n int64) {
	t.n.Add(n)
	t.total.Add(n)
}

// undo takes every byte counted so far back out of the running total.
func (t *tally) undo() { t.total.Add(-t.n.Swap(0)) }

// progressInterval is the shortest time between two progress reports.
const progressInterval = 250 * time.Millisecond

// progress keeps a copy's running totals and reports them to the caller's
// callback from a single goroutine, at most every progressInterval and
// only when something changed, plus once at the end.
type progress struct {
	fn                  func(provider.CopyProgress)
	objectsTotal, total int64
	objects, bytes      atomic.Int64

	stop chan struct{}
	done chan struct{}
}

// startProgress starts reporting to fn (which may be nil) for a copy of
// objectsTotal objects and bytesTotal bytes.
func startProgress(fn func(provider.CopyProgress), objectsTotal, bytesTotal int64) *progress {
	p := &progress{
		fn:           fn,
		objectsTotal: objectsTotal,
		total:        bytesTotal,
		stop:         make(chan struct{}),
		done:         make(chan struct{}),
	}
	if fn == nil {
		close(p.done)
		return p
	}
	go p.loop()
	return p
}

// snapshot returns the current totals.
func (p *progress) snapshot() provider.CopyProgress {
	return provider.CopyProgress{
		Objects:      p.objects.Load(),
		ObjectsTotal: p.objectsTotal,
		Bytes:        p.bytes.Load(),
		BytesTotal:   p.total,
	}
}

// loop reports changed totals on every tick until finish is called.
func (p *progress) loop() {
	defer close(p.done)
	t := time.NewTicker(progressInterval)
	defer t.Stop()
	var last provider.CopyProgress
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			if cur := p.snapshot(); cur != last {
				p.fn(cur)
				last = cur
			}
		}
	}
}

// finish stops the ticker and makes the final report. No report follows
// it, and none runs concurrently with it.
func (p *progress) finish() {
	if p.fn == nil {
		return
	}
	close(p.stop)
	<-p.done
	p.fn(p.snapshot())
}
