package s3

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/ferry-dev/ferry/internal/testserver"
	"github.com/ferry-dev/ferry/provider"
)

// rootClient is a plain SDK client for inspecting the server directly.
func rootClient(srv *testserver.S3Server) *s3.Client {
	return s3.New(s3.Options{
		Region:       srv.Region,
		BaseEndpoint: aws.String(srv.Endpoint),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(srv.AccessKey, srv.SecretKey, ""),
	})
}

// statusErr is an error as the SDK returns it for an HTTP reply.
func statusErr(status int, code string) error {
	var inner error = errors.New("no body")
	if code != "" {
		inner = &smithy.GenericAPIError{Code: code, Message: "from the server"}
	}
	re := &awshttp.ResponseError{ResponseError: &smithyhttp.ResponseError{
		Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}},
		Err:      inner,
	}}
	return &smithy.OperationError{ServiceID: "S3", OperationName: "GetObject", Err: re}
}

func TestIsRetryable(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"SlowDown 503", statusErr(503, "SlowDown"), true},
		{"InternalError 500", statusErr(500, "InternalError"), true},
		{"bad gateway without body", statusErr(502, ""), true},
		{"ServiceUnavailable 503", statusErr(503, "ServiceUnavailable"), true},
		{"gateway timeout", statusErr(504, ""), true},
		{"RequestTimeout 400", statusErr(400, "RequestTimeout"), true},
		{"throttled 429", statusErr(429, "TooManyRequestsException"), true},
		{"Throttling 400", statusErr(400, "Throttling"), true},
		{"RequestTimeTooSkewed 403", statusErr(403, "RequestTimeTooSkewed"), true},
		{"OperationAborted 409", statusErr(409, "OperationAborted"), true},
		{"AccessDenied 403", statusErr(403, "AccessDenied"), false},
		{"InvalidAccessKeyId 403", statusErr(403, "InvalidAccessKeyId"), false},
		{"SignatureDoesNotMatch 403", statusErr(403, "SignatureDoesNotMatch"), false},
		{"NoSuchBucket 404", statusErr(404, "NoSuchBucket"), false},
		{"NoSuchUpload 404", statusErr(404, "NoSuchUpload"), false},
		{"EntityTooSmall 400", statusErr(400, "EntityTooSmall"), false},
		{"ExpiredToken 400", statusErr(400, "ExpiredToken"), false},
		{"not implemented 501", statusErr(501, "NotImplemented"), false},
		{"not found", fmt.Errorf("open x: %w", provider.ErrNotFound), false},
		{"batch key InternalError", fmt.Errorf("delete: %w", &KeyError{Code: "InternalError"}), true},
		{"batch key AccessDenied", fmt.Errorf("delete: %w", &KeyError{Code: "AccessDenied"}), false},
		{"connection refused", &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}, true},
		{"connection reset", fmt.Errorf("read: %w", syscall.ECONNRESET), true},
		{"broken pipe", fmt.Errorf("write: %w", syscall.EPIPE), true},
		{"body cut short", fmt.Errorf("read body: %w", io.ErrUnexpectedEOF), true},
		{"timeout", &timeoutError{}, true},
		{"temporary DNS failure", &net.DNSError{Err: "server misbehaving", Name: "s3.amazonaws.com", IsTemporary: true}, true},
		{"unknown host", &net.DNSError{Err: "no such host", Name: "nope.invalid", IsNotFound: true}, false},
		{"body of the wrong size on a cut connection", &net.OpError{Op: "readfrom", Err: &BodySizeError{Got: 3, Want: 10}}, false},
		{"cancelled", fmt.Errorf("put: %w", context.Canceled), false},
		{"deadline", fmt.Errorf("put: %w", context.DeadlineExceeded), false},
		{"unrecognised", errors.New("something else"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsRetryable(tt.err); got != tt.want {
				t.Errorf("IsRetryable(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

// timeoutError is a network timeout, as a net.Conn deadline gives.
type timeoutError struct{}

func (*timeoutError) Error() string   { return "i/o timeout" }
func (*timeoutError) Timeout() bool   { return true }
func (*timeoutError) Temporary() bool { return true }

func TestWrongSecretIsPermanentAndNotLeaked(t *testing.T) {
	ctx := context.Background()
	isolateAWSEnv(t)
	srv := testserver.Versitygw(t)
	srv.CreateBucket(t, testBucket)
	const secret = "Wr0ngSecretValueThatMustNotLeak"
	b, err := New(ctx, Config{Bucket: testBucket, Prefix: "p", Endpoint: srv.Endpoint, PathStyle: true,
		AccessKey: srv.AccessKey, SecretKey: secret, SessionToken: "SessionTokenThatMustNotLeak"})
	if err != nil {
		t.Fatal(err)
	}
	_, listErr := b.List(ctx, "t1/")
	_, putErr := b.Put(ctx, "t1/k", strings.NewReader("data"), 4)
	_, openErr := b.Open(ctx, "t1/k", 0, -1)
	_, mpErr := b.CreateMultipart(ctx, "t1/k")
	for name, err := range map[string]error{"List": listErr, "Put": putErr, "Open": openErr, "CreateMultipart": mpErr} {
		if err == nil {
			t.Errorf("%s with a wrong secret succeeded", name)
			continue
		}
		if IsRetryable(err) {
			t.Errorf("%s: retryable: %v", name, err)
		}
		if errors.Is(err, provider.ErrNotFound) {
			t.Errorf("%s: reported as not found: %v", name, err)
		}
		if msg := err.Error(); strings.Contains(msg, secret) || strings.Contains(msg, "SessionTokenThatMustNotLeak") {
			t.Errorf("%s: error reveals a credential: %s", name, msg)
		}
		if !strings.Contains(err.Error(), "s3://stage/p/t1/") {
			t.Errorf("%s: error does not name the location: %v", name, err)
		}
	}
}

func TestUnreachableEndpointIsRetryable(t *testing.T) {
	isolateAWSEnv(t)
	// A port nothing listens on: connection refused.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	b, err := New(context.Background(), Config{Bucket: testBucket, Endpoint: "http://" + addr, PathStyle: true,
		AccessKey: "a", SecretKey: "s"})
	if err != nil {
		t.Fatal(err)
	}
	b.client = singleAttempt(b.client)
	_, err = b.List(context.Background(), "")
	if err == nil || !IsRetryable(err) {
		t.Errorf("List against a closed port: %v, want a retryable error", err)
	}
}

// singleAttempt returns c without SDK retries, so a test sees the first
// failure at once.
func singleAttempt(c *s3.Client) *s3.Client {
	o := c.Options()
	o.RetryMaxAttempts = 1
	return s3.New(o)
}

func TestServerErrorRepliesAreClassified(t *testing.T) {
	isolateAWSEnv(t)
	// S3 error replies as AWS sends them, parsed by the real SDK.
	replies := map[string]struct {
		status int
		code   string
		want   bool
	}{
		"/stage/slow":   {503, "SlowDown", true},
		"/stage/broken": {500, "InternalError", true},
		"/stage/denied": {403, "AccessDenied", false},
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rep := replies[r.URL.Path]
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(rep.status)
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>m</Message><RequestId>r</RequestId></Error>`, rep.code)
	}))
	defer srv.Close()
	b, err := New(context.Background(), Config{Bucket: testBucket, Endpoint: srv.URL, PathStyle: true, AccessKey: "a", SecretKey: "s"})
	if err != nil {
		t.Fatal(err)
	}
	b.client = singleAttempt(b.client)
	for path, rep := range replies {
		key := strings.TrimPrefix(path, "/stage/")
		_, err := b.Open(context.Background(), key, 0, -1)
		var apiErr smithy.APIError
		if !errors.As(err, &apiErr) || apiErr.ErrorCode() != rep.code {
			t.Errorf("Open(%s): %v, want code %s", key, err, rep.code)
		}
		if got := IsRetryable(err); got != rep.want {
			t.Errorf("IsRetryable(%v) = %v, want %v", err, got, rep.want)
		}
	}
}
