package stream

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/ferry-dev/ferry/provider"
)

const (
	// MiB is one mebibyte, the unit part sizes are usually given in.
	MiB = 1 << 20

	// MinPartSize is the smallest part the Copier chooses on its own. S3
	// and OSS both reject parts under 5 MiB (except the last); 8 MiB
	// keeps the request count of a large object moderate.
	MinPartSize = 8 * MiB

	// MaxParts is the most parts one object may have, the limit S3 and
	// OSS share. Part sizes grow so that no object needs more.
	MaxParts = 10000

	defaultTransfers          = 4
	defaultPartConcurrency    = 4
	defaultMultipartThreshold = 64 * MiB
	defaultRetries            = 5
	defaultRetryDelay         = 200 * time.Millisecond
	maxRetryDelay             = 30 * time.Second
)

// Options tune a Copier. The zero value is usable: every zero field takes
// its documented default.
type Options struct {
	// Transfers is how many objects are copied at once (default 4).
	Transfers int
	// PartSize is the size of each part of a multipart upload. Zero
	// chooses it per object: MinPartSize, grown so the object has at most
	// MaxParts parts. A non-zero size is grown the same way when an
	// object would otherwise need too many parts.
	PartSize int64
	// PartConcurrency is how many parts of one object are in flight at
	// once (default 4). Each holds one part in memory, so a copy buffers
	// at most Transfers × PartConcurrency × PartSize bytes.
	PartConcurrency int
	// MultipartThreshold is the size from which an object is uploaded in
	// parts, when the destination supports it (default 64 MiB). Smaller
	// objects stream straight from source to destination.
	MultipartThreshold int64
	// BandwidthLimit caps the bytes per second read from the source,
	// shared by every transfer (0: no limit).
	BandwidthLimit int64
	// Retries is how many times a failed object or part is retried after
	// the first attempt (default 5; negative: never). An object whose
	// stored checksum disagrees with the bytes sent is copied again as
	// many times.
	Retries int
	// RetryDelay is the backoff before the first retry; it doubles on
	// each later one, up to 30s, with random jitter (default 200ms).
	RetryDelay time.Duration
	// IsRetryable decides whether an error is worth another attempt. The
	// default retries everything except cancellation and errors wrapping
	// provider.ErrNotFound.
	IsRetryable func(error) bool
}

// withDefaults returns o with every zero field replaced by its default.
func (o Options) withDefaults() Options {
	if o.Transfers <= 0 {
		o.Transfers = defaultTransfers
	}
	if o.PartConcurrency <= 0 {
		o.PartConcurrency = defaultPartConcurrency
	}
	if o.MultipartThreshold <= 0 {
		o.MultipartThreshold = defaultMultipartThreshold
	}
	if o.Retries == 0 {
		o.Retries = defaultRetries
	} else if o.Retries < 0 {
		o.Retries = 0
	}
	if o.RetryDelay <= 0 {
		o.RetryDelay = defaultRetryDelay
	}
	if o.IsRetryable == nil {
		o.IsRetryable = DefaultIsRetryable
	}
	return o
}

// DefaultIsRetryable is the IsRetryable used when Options leaves it nil.
// Cancellation and missing objects are final; anything else may be a
// passing network or throttling failure. Providers that know their
// service codes should pass a sharper classifier.
func DefaultIsRetryable(err error) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return false
	case errors.Is(err, provider.ErrNotFound):
		return false
	}
	return true
}

// partSizeFor returns the part size used for an object of size bytes.
func (o Options) partSizeFor(size int64) int64 {
	ps := o.PartSize
	if ps <= 0 {
		ps = MinPartSize
	}
	if need := (size + MaxParts - 1) / MaxParts; ps < need {
		// Round up to whole MiB so part boundaries stay readable.
		ps = (need + MiB - 1) / MiB * MiB
	}
	return ps
}

// retry runs op until it succeeds, fails with an error IsRetryable
// rejects, runs out of retries, or ctx ends.
func (o Options) retry(ctx context.Context, op func() error) error {
	return o.retryIf(ctx, o.IsRetryable, op)
}

// retryIf runs op until it succeeds, fails with an error retryable
// rejects, runs out of retries, or ctx ends. Between attempts it sleeps an
// exponentially growing, jittered delay. The returned error is op's last.
func (o Options) retryIf(ctx context.Context, retryable func(error) bool, op func() error) error {
	delay := o.RetryDelay
	for attempt := 0; ; attempt++ {
		err := op()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return err
		}
		if attempt >= o.Retries || !retryable(err) {
			if attempt > 0 {
				return fmt.Errorf("after %d attempts: %w", attempt+1, err)
			}
			return err
		}
		// Full jitter keeps many failing transfers from retrying in step.
		wait := delay/2 + rand.N(delay/2+1)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		if delay *= 2; delay > maxRetryDelay {
			delay = maxRetryDelay
		}
	}
}
