package s3

import (
	"errors"
	"fmt"
	"io"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// BodySizeError reports an upload body whose length is not the size the
// caller declared. It is permanent: sending the same body again cannot
// fix it.
type BodySizeError struct {
	// Got is how many bytes the body had, or at least had; Want is the
	// declared size.
	Got, Want int64
	// Longer tells that the body went on past Want bytes (Got is then a
	// lower bound).
	Longer bool
}

// Error describes the mismatch.
func (e *BodySizeError) Error() string {
	if e.Longer {
		return fmt.Sprintf("body is longer than the declared %d bytes", e.Want)
	}
	return fmt.Sprintf("body has %d bytes, declared %d", e.Got, e.Want)
}

// prepareBody returns the body to hand the SDK for an upload of size bytes
// from r, and the per-call options it needs.
//
// Every body is signed as UNSIGNED-PAYLOAD, as the SDK already does over
// HTTPS. Over plain HTTP the SDK would otherwise read a seekable body once
// to hash it with SHA-256 before sending it, and the server would hash it
// again to check: for the copy engine's part buffers that was an eighth
// of the CPU a copy took, for a check the engine's own CRC-64 already
// makes where the destination reports one.
//
// A seekable r is checked for length up front and given to the SDK as is,
// so the SDK can rewind it to retry a failed attempt. Any other r is
// wrapped in a sizedBody; the SDK's own retries are turned off for that
// call because it could not rewind the body, and the caller (the copy
// engine) retries with a fresh reader instead.
func prepareBody(r io.Reader, size int64) (io.Reader, []func(*s3.Options), error) {
	if size < 0 {
		return nil, nil, fmt.Errorf("unknown body size %d: S3 needs the length up front", size)
	}
	if rs, ok := r.(io.ReadSeeker); ok {
		left, err := remaining(rs)
		if err == nil {
			if left != size {
				return nil, nil, &BodySizeError{Got: left, Want: size, Longer: left > size}
			}
			return rs, []func(*s3.Options){unsignedPayload}, nil
		}
		// A Seek that fails (a pipe behind an *os.File) means the body
		// is a stream after all.
	}
	if size == 0 {
		// An empty body is never read by the HTTP client; check here that
		// r really is empty.
		if err := probeEnd(r, 0); err != nil {
			return nil, nil, err
		}
	}
	return &sizedBody{r: r, size: size}, []func(*s3.Options){streamingUpload}, nil
}

// unsignedPayload is the per-call option for a body that can be read
// again: sign it as UNSIGNED-PAYLOAD rather than reading it once more
// to hash it.
func unsignedPayload(o *s3.Options) {
	o.APIOptions = append(o.APIOptions, v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware)
}

// streamingUpload is the per-call option for a body that cannot be read
// twice: sign it as UNSIGNED-PAYLOAD and make a single attempt.
func streamingUpload(o *s3.Options) {
	unsignedPayload(o)
	o.RetryMaxAttempts = 1
}

// remaining returns how many bytes rs holds from its current position,
// leaving the position where it was.
func remaining(rs io.ReadSeeker) (int64, error) {
	cur, err := rs.Seek(0, io.SeekCurrent)
	if err != nil {
		return 0, err
	}
	end, err := rs.Seek(0, io.SeekEnd)
	if err != nil {
		return 0, err
	}
	if _, err := rs.Seek(cur, io.SeekStart); err != nil {
		return 0, err
	}
	return end - cur, nil
}

// probeEnd checks that r has no byte left after the n it has given.
func probeEnd(r io.Reader, n int64) error {
	var one [1]byte
	k, err := io.ReadFull(r, one[:])
	switch {
	case k > 0:
		return &BodySizeError{Got: n + 1, Want: n, Longer: true}
	case errors.Is(err, io.EOF):
		return nil
	default:
		return err
	}
}

// sizedBody passes exactly size bytes of r to the HTTP client and fails
// the upload when r has more or fewer. The check for more happens before
// the last bytes are handed over, so the server never receives a complete
// body and never publishes a truncated object.
type sizedBody struct {
	r    io.Reader
	size int64
	n    int64
}

// Read reads from r, at most up to size bytes in all.
func (b *sizedBody) Read(p []byte) (int, error) {
	left := b.size - b.n
	if left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > left {
		p = p[:left]
	}
	k, err := b.r.Read(p)
	b.n += int64(k)
	if b.n == b.size && k > 0 {
		if perr := probeEnd(b.r, b.size); perr != nil {
			return 0, perr
		}
		return k, io.EOF
	}
	if errors.Is(err, io.EOF) {
		return k, &BodySizeError{Got: b.n, Want: b.size}
	}
	return k, err
}
