package s3

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/ferry-dev/ferry/internal/testserver"
)

// uploadRecorder is an HTTP transport that records the payload hash every
// upload was signed with and can cut the first upload short, after part
// of its body has been read, as a reset connection would.
type uploadRecorder struct {
	next http.RoundTripper

	mu        sync.Mutex
	hashes    []string
	failFirst bool
}

var errCutShort = errors.New("connection reset (injected)")

func (u *uploadRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodPut {
		return u.next.RoundTrip(req)
	}
	u.mu.Lock()
	u.hashes = append(u.hashes, req.Header.Get("X-Amz-Content-Sha256"))
	cut := u.failFirst
	u.failFirst = false
	u.mu.Unlock()
	if cut {
		_, _ = io.CopyN(io.Discard, req.Body, req.ContentLength/2)
		req.Body.Close()
		return nil, errCutShort
	}
	return u.next.RoundTrip(req)
}

// recordedBucket returns a Bucket on srv's test bucket whose uploads go
// through rec.
func recordedBucket(t *testing.T, srv *testserver.S3Server, rec *uploadRecorder) *Bucket {
	t.Helper()
	// The SDK refuses a custom CA bundle with a plain http.Client.
	t.Setenv("AWS_CA_BUNDLE", "")
	rec.next = http.DefaultTransport
	b, err := New(context.Background(), Config{
		Bucket: testBucket, Region: srv.Region, Endpoint: srv.Endpoint, PathStyle: true,
		AccessKey: srv.AccessKey, SecretKey: srv.SecretKey,
		HTTPClient: &http.Client{Transport: rec},
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestUploadsSendUnsignedPayload checks that no upload body is hashed for
// its signature, seekable or not, over plain HTTP where the SDK would
// otherwise hash a seekable one, and that the bytes arrive intact.
func TestUploadsSendUnsignedPayload(t *testing.T) {
	ctx := context.Background()
	_, srv := newTestBucket(t, "")
	rec := &uploadRecorder{}
	b := recordedBucket(t, srv, rec)

	small := randomBytes(21, 1000)
	for name, r := range map[string]io.Reader{
		"seekable": bytes.NewReader(small),
		"stream":   streamBody{bytes.NewReader(small)},
	} {
		if _, err := b.Put(ctx, name, r, int64(len(small))); err != nil {
			t.Fatalf("Put %s: %v", name, err)
		}
		if got := readAll(t, b, name, 0, -1); !bytes.Equal(got, small) {
			t.Errorf("Put %s stored %d bytes differing from those sent", name, len(got))
		}
	}
	data := randomBytes(22, partSize+10)
	up, err := b.CreateMultipart(ctx, "mp")
	if err != nil {
		t.Fatal(err)
	}
	if err := up.UploadPart(ctx, 1, bytes.NewReader(data[:partSize]), partSize); err != nil {
		t.Fatal(err)
	}
	if err := up.UploadPart(ctx, 2, streamBody{bytes.NewReader(data[partSize:])}, 10); err != nil {
		t.Fatal(err)
	}
	if _, err := up.Complete(ctx); err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, b, "mp", 0, -1); !bytes.Equal(got, data) {
		t.Errorf("multipart object differs from the parts sent (%d bytes, want %d)", len(got), len(data))
	}

	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.hashes) != 4 {
		t.Fatalf("recorded %d uploads, want 4", len(rec.hashes))
	}
	for i, h := range rec.hashes {
		if h != "UNSIGNED-PAYLOAD" {
			t.Errorf("upload %d signed with payload hash %q, want UNSIGNED-PAYLOAD", i+1, h)
		}
	}
}

// TestSeekableUploadIsRetriedFromTheStart checks that an unsigned
// seekable body keeps the SDK's own retry: an attempt cut off halfway is
// sent again from its first byte, and the object holds exactly the bytes
// given.
func TestSeekableUploadIsRetriedFromTheStart(t *testing.T) {
	ctx := context.Background()
	_, srv := newTestBucket(t, "")
	for _, multipart := range []bool{false, true} {
		rec := &uploadRecorder{failFirst: true}
		b := recordedBucket(t, srv, rec)
		data := randomBytes(23, partSize)
		if multipart {
			up, err := b.CreateMultipart(ctx, "k")
			if err != nil {
				t.Fatal(err)
			}
			if err := up.UploadPart(ctx, 1, bytes.NewReader(data), int64(len(data))); err != nil {
				t.Fatalf("UploadPart after a cut attempt: %v", err)
			}
			if _, err := up.Complete(ctx); err != nil {
				t.Fatal(err)
			}
		} else if _, err := b.Put(ctx, "k", bytes.NewReader(data), int64(len(data))); err != nil {
			t.Fatalf("Put after a cut attempt: %v", err)
		}
		if n := len(rec.hashes); n != 2 {
			t.Errorf("multipart %v: %d attempts, want the cut one and one retry", multipart, n)
		}
		if got := readAll(t, b, "k", 0, -1); !bytes.Equal(got, data) {
			t.Errorf("multipart %v: object after a retried upload differs from the body (%d bytes, want %d)", multipart, len(got), len(data))
		}
	}
}
