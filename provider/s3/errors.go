package s3

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"

	"github.com/aws/smithy-go"

	"github.com/ferry-dev/ferry/provider"
)

// retryableCodes are S3 error codes that describe a passing condition:
// an overloaded or failing server, throttling, a request that took too
// long, or a conflicting operation still in flight.
var retryableCodes = map[string]bool{
	"InternalError":             true,
	"ServiceUnavailable":        true,
	"SlowDown":                  true,
	"RequestTimeout":            true,
	"RequestTimeoutException":   true,
	"Throttling":                true,
	"ThrottlingException":       true,
	"ThrottledException":        true,
	"RequestThrottled":          true,
	"RequestThrottledException": true,
	"TooManyRequestsException":  true,
	"RequestLimitExceeded":      true,
	"BandwidthLimitExceeded":    true,
	"PriorRequestNotComplete":   true,
	"OperationAborted":          true,
	// The SDK corrects its clock from the failed reply, so the next
	// attempt is signed with the server's time.
	"RequestTimeTooSkewed": true,
}

// retryableStatus are HTTP statuses worth another attempt whatever the
// error code: request timeout, too many requests and server-side failures.
var retryableStatus = map[int]bool{408: true, 429: true, 500: true, 502: true, 503: true, 504: true}

// IsRetryable tells whether another attempt of the failed operation may
// succeed. It decides from the S3 error code, then the HTTP status, then
// the type of network error, never from message text:
//
//   - throttling (SlowDown, 429, …), server failures (InternalError, 500,
//     502, 503, 504) and timeouts (RequestTimeout, 408) are retryable;
//   - every other answer from S3 is permanent: AccessDenied,
//     InvalidAccessKeyId, SignatureDoesNotMatch, NoSuchBucket, NoSuchKey
//     (provider.ErrNotFound) and the rest of the 4xx;
//   - with no answer, connection refusals, resets, broken pipes, cut
//     bodies and timeouts are retryable, an unknown host name is not;
//   - cancellation, a body of the wrong size and anything unrecognised
//     are permanent.
//
// It suits stream.Options.IsRetryable for copies that read or write S3.
func IsRetryable(err error) bool {
	if err == nil ||
		errors.Is(err, context.Canceled) ||
		errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, provider.ErrNotFound) {
		return false
	}
	var sizeErr *BodySizeError
	if errors.As(err, &sizeErr) {
		return false
	}
	var apiErr smithy.APIError
	hasCode := errors.As(err, &apiErr)
	if hasCode && retryableCodes[apiErr.ErrorCode()] {
		return true
	}
	if status := httpStatus(err); status != 0 {
		return retryableStatus[status]
	}
	if hasCode {
		return false
	}
	return isNetworkFailure(err)
}

// isNetworkFailure recognises errors of a connection that failed or was
// cut before a reply was complete.
func isNetworkFailure(err error) bool {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return !dnsErr.IsNotFound
	}
	var opErr *net.OpError
	switch {
	case errors.As(err, &opErr),
		errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.ECONNABORTED),
		errors.Is(err, syscall.EPIPE),
		errors.Is(err, io.ErrUnexpectedEOF):
		return true
	}
	var netErr net.Error
	return errors.As(err, &netErr) && netErr.Timeout()
}

// httpStatus returns the HTTP status of the reply err came from, or 0
// when no reply arrived.
func httpStatus(err error) int {
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// isNotFound tells whether S3 said the key does not exist. A HEAD reply
// has no body, hence no NoSuchKey code: it comes as "NotFound".
func isNotFound(err error) bool {
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	switch apiErr.ErrorCode() {
	case "NoSuchKey", "NotFound":
		return true
	}
	return false
}

// KeyError is S3's refusal of one key inside a batch request such as
// DeleteObjects, where the request as a whole succeeded. It implements
// smithy.APIError, so it is classified like any other S3 error.
type KeyError struct {
	// URL is the s3:// URL of the refused key.
	URL string
	// Code and Message are S3's error code and message for it.
	Code    string
	Message string
	// Others counts further keys of the same batch that were refused.
	Others int
}

// Error describes the refusal.
func (e *KeyError) Error() string {
	s := e.URL + ": " + e.Code
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Others > 0 {
		s += fmt.Sprintf(" (and %d more keys)", e.Others)
	}
	return s
}

// ErrorCode returns the S3 error code.
func (e *KeyError) ErrorCode() string { return e.Code }

// ErrorMessage returns the S3 error message.
func (e *KeyError) ErrorMessage() string { return e.Message }

// ErrorFault says the fault is unknown: S3 does not tell in a batch reply.
func (e *KeyError) ErrorFault() smithy.ErrorFault { return smithy.FaultUnknown }

var _ smithy.APIError = (*KeyError)(nil)
