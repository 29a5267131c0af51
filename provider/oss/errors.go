package oss

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"syscall"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/ferry-dev/ferry/provider"
)

// ErrChecksumMismatch is wrapped by errors from uploads whose stored
// bytes, by the CRC-64 OSS reports, differ from the bytes sent. The
// damaged object is deleted (or the part left to be replaced) before the
// error is returned; sending again usually succeeds.
var ErrChecksumMismatch = errors.New("oss: stored CRC-64 differs from the bytes sent")

const (
	defaultRetries = 4
	retryBase      = 50 * time.Millisecond
	retryMax       = 2 * time.Second
)

// retryableCodes are OSS error codes that mean "try again", whatever the
// HTTP status they arrive with.
var retryableCodes = map[string]bool{
	"InternalError":        true,
	"ServiceUnavailable":   true,
	"RequestTimeout":       true,
	"RequestTimeTooSkewed": true,
	"Throttling":           true,
	"SlowDown":             true,
	"TooManyRequests":      true,
}

// IsRetryable reports whether err is worth another attempt: OSS 5xx,
// 408 and 429 replies and the retryable error codes, connection resets,
// refusals, timeouts and truncated replies, and checksum mismatches. It
// decides from error types, status codes and OSS error codes only.
// Cancellation, missing objects and every other 4xx are final.
func IsRetryable(err error) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return false
	case errors.Is(err, provider.ErrNotFound):
		return false
	case errors.Is(err, ErrChecksumMismatch), errors.As(err, new(oss.CRCCheckError)):
		return true
	}
	var se oss.ServiceError
	if errors.As(err, &se) {
		switch {
		case se.StatusCode >= 500,
			se.StatusCode == http.StatusRequestTimeout,
			se.StatusCode == http.StatusTooManyRequests:
			return true
		}
		return retryableCodes[se.Code]
	}
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return true
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.ECONNABORTED), errors.Is(err, syscall.EPIPE):
		return true
	case errors.Is(err, net.ErrClosed):
		return true
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return dns.IsTemporary || dns.IsTimeout
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	var op *net.OpError
	return errors.As(err, &op)
}

// isCode reports whether err is an OSS service error with that code.
func isCode(err error, code string) bool {
	var se oss.ServiceError
	return errors.As(err, &se) && se.Code == code
}

// isNotFound reports whether err says the object does not exist.
func isNotFound(err error) bool {
	var se oss.ServiceError
	return errors.As(err, &se) && (se.Code == "NoSuchKey" || (se.StatusCode == http.StatusNotFound && se.Code == ""))
}

// retry runs op until it succeeds, fails with an error IsRetryable
// rejects, has been retried b.retries times, or ctx ends. rewind, when
// not nil, is called before every retry to reset the request body; when
// it fails the last error is returned.
func (b *Bucket) retry(ctx context.Context, rewind func() error, op func() error) error {
	delay := retryBase
	for attempt := 0; ; attempt++ {
		err := op()
		if err == nil || attempt >= b.retries || !IsRetryable(err) || ctx.Err() != nil {
			return err
		}
		wait := delay/2 + rand.N(delay/2+1)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		delay = min(delay*2, retryMax)
		if rewind != nil {
			if rerr := rewind(); rerr != nil {
				return err
			}
		}
	}
}

// retryUpload is retry for a request whose body is r: the request is
// repeated only if r can be rewound, since a consumed stream cannot be
// sent again.
func (b *Bucket) retryUpload(ctx context.Context, r io.Reader, op func() error) error {
	rewind := rewinder(r)
	if rewind == nil {
		return op()
	}
	return b.retry(ctx, rewind, op)
}

// errorf wraps an error with context and removes any secret the bucket
// knows of from its text.
func (b *Bucket) errorf(format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	secrets := b.creds.secrets()
	if b.cfg.AccessKeySecret != "" {
		secrets = append(secrets, b.cfg.AccessKeySecret)
	}
	if b.cfg.SecurityToken != "" {
		secrets = append(secrets, b.cfg.SecurityToken)
	}
	return provider.ScrubError(err, secrets...)
}

// rewinder returns a function that seeks r back to where it is now, or
// nil when r cannot seek (its body can then be sent only once).
func rewinder(r io.Reader) func() error {
	s, ok := r.(io.Seeker)
	if !ok {
		return nil
	}
	start, err := s.Seek(0, io.SeekCurrent)
	if err != nil {
		return nil
	}
	return func() error {
		_, err := s.Seek(start, io.SeekStart)
		return err
	}
}
