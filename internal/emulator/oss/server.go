package oss

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Options configure a Server.
type Options struct {
	// AccessKeyID and AccessKeySecret are the one key pair the server
	// accepts. Requests signed with another ID get InvalidAccessKeyId;
	// requests signed with another secret get SignatureDoesNotMatch.
	AccessKeyID     string
	AccessKeySecret string
	// SecurityToken, when set, must arrive in x-oss-security-token, as
	// with STS credentials.
	SecurityToken string
	// Region, when set, is the only region a V4 signature may be scoped
	// to ("cn-hangzhou"); V1 signatures carry no region.
	Region string
	// Dir is where object bytes are stored (default: a new temporary
	// directory, removed by Close).
	Dir string
	// Faults, when set, injects failures from the start.
	Faults *Faults
}

// Server is an in-process OSS endpoint. It implements http.Handler; Start
// also serves it on a loopback port.
type Server struct {
	opts    Options
	dir     string
	ownDir  bool
	hostID  string
	httpSrv *httptest.Server

	mu      sync.Mutex
	buckets map[string]*bucket
	uploads map[string]*upload

	routes  map[string]handlerFunc
	faults  faultState
	corrupt sync.Map // op name -> true
	seq     atomic.Int64

	damage   partDamage
	requests requestCounts
}

// handlerFunc runs one routed operation.
type handlerFunc func(w http.ResponseWriter, r *http.Request, req *request)

// New returns a Server with no buckets. It panics if it cannot create its
// storage directory, which only happens when the temp dir is unusable.
func New(opts Options) *Server {
	s := &Server{
		opts:    opts,
		buckets: map[string]*bucket{},
		uploads: map[string]*upload{},
		hostID:  "oss-emulator.localhost",
	}
	if opts.Dir != "" {
		if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
			panic(fmt.Sprintf("oss emulator: %v", err))
		}
		s.dir = opts.Dir
	} else {
		dir, err := os.MkdirTemp("", "oss-emulator-")
		if err != nil {
			panic(fmt.Sprintf("oss emulator: %v", err))
		}
		s.dir, s.ownDir = dir, true
	}
	s.routes = s.handlers()
	s.SetFaults(opts.Faults)
	return s
}

// Start serves a new Server on a loopback port for the duration of the
// test: it is closed, and its storage removed, when the test ends.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	s := New(opts)
	s.httpSrv = httptest.NewServer(s)
	t.Cleanup(s.Close)
	return s
}

// Endpoint returns the base URL the server listens on
// ("http://127.0.0.1:port"), or "" when it was made with New and is
// served by the caller.
func (s *Server) Endpoint() string {
	if s.httpSrv == nil {
		return ""
	}
	return s.httpSrv.URL
}

// Addr returns the listening host:port, for tests that dial it under
// another host name (virtual-host addressing).
func (s *Server) Addr() string {
	if s.httpSrv == nil {
		return ""
	}
	return s.httpSrv.Listener.Addr().String()
}

// Close stops serving (when started with Start) and removes the storage
// directory the server created.
func (s *Server) Close() {
	if s.httpSrv != nil {
		s.httpSrv.CloseClientConnections()
		s.httpSrv.Close()
	}
	if s.ownDir {
		os.RemoveAll(s.dir)
	}
}

// CreateBucket makes an empty bucket; creating one that exists is a no-op.
func (s *Server) CreateBucket(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.buckets[name] == nil {
		s.buckets[name] = &bucket{name: name, objects: map[string]*object{}, created: time.Now().UTC()}
	}
}

// Object returns the stored bytes of key in bucket, and false when there
// is no such object.
func (s *Server) Object(bucketName, key string) ([]byte, bool) {
	s.mu.Lock()
	b := s.buckets[bucketName]
	var o *object
	if b != nil {
		o = b.objects[key]
	}
	s.mu.Unlock()
	if o == nil {
		return nil, false
	}
	data, err := os.ReadFile(o.path)
	if err != nil {
		return nil, false
	}
	return data, true
}

// Uploads returns how many multipart uploads are in progress (initiated
// and neither completed nor aborted), so tests can check nothing leaks.
func (s *Server) Uploads() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.uploads)
}

// request is what routing learned about one HTTP request.
type request struct {
	id     string
	op     string
	bucket string
	key    string
	query  url.Values
}

// newRequestID returns a request ID shaped like OSS's: 24 upper-case hex
// digits, unique within the server.
func (s *Server) newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%08X%s", s.seq.Add(1), strings.ToUpper(hex.EncodeToString(b[:])))
}

// ServeHTTP routes one request: it injects configured faults, verifies
// the signature, and runs the operation.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	req := &request{id: s.newRequestID(), query: r.URL.Query()}
	w.Header().Set("x-oss-request-id", req.id)
	w.Header().Set("Server", "AliyunOSS")
	w.Header().Set("Date", time.Now().UTC().Format(http.TimeFormat))
	req.bucket, req.key = s.address(r)
	req.op = operation(r.Method, req.bucket, req.key, req.query, r.Header)
	s.requests.add(req.op)

	if s.injectFault(w, r, req) {
		return
	}
	if req.op == "" {
		s.fail(w, r, req, http.StatusNotImplemented, "NotImplemented", "The operation is not supported by this emulator.")
		return
	}
	if !s.authenticate(w, r, req) {
		return
	}
	if req.op != OpPutBucket {
		s.mu.Lock()
		b := s.buckets[req.bucket]
		s.mu.Unlock()
		if b == nil {
			s.fail(w, r, req, http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist.", field{"BucketName", req.bucket})
			return
		}
	}
	s.routes[req.op](w, r, req)
}

// address splits a request into bucket and key. A Host whose first label
// names an existing bucket is virtual-host style and the whole decoded
// path is the key; otherwise the first path segment is the bucket.
func (s *Server) address(r *http.Request) (bucketName, key string) {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if net.ParseIP(strings.Trim(host, "[]")) == nil {
		if label, _, ok := strings.Cut(host, "."); ok {
			s.mu.Lock()
			_, known := s.buckets[label]
			s.mu.Unlock()
			if known {
				return label, strings.TrimPrefix(r.URL.Path, "/")
			}
		}
	}
	p := strings.TrimPrefix(r.URL.Path, "/")
	bucketName, key, _ = strings.Cut(p, "/")
	return bucketName, key
}

// operation names the OSS API a request calls, or "" when unsupported.
func operation(method, bucketName, key string, q url.Values, h http.Header) string {
	has := func(k string) bool { _, ok := q[k]; return ok }
	if bucketName == "" {
		return ""
	}
	if key == "" {
		switch {
		case method == http.MethodGet && q.Get("list-type") == "2":
			return OpListObjectsV2
		case method == http.MethodGet && len(q) == 0,
			method == http.MethodGet && (has("prefix") || has("marker") || has("max-keys") || has("delimiter") || has("encoding-type")):
			return OpListObjects
		case method == http.MethodPost && has("delete"):
			return OpDeleteMultipleObjects
		case method == http.MethodPut && len(q) == 0:
			return OpPutBucket
		}
		return ""
	}
	copySource := h.Get("x-oss-copy-source") != ""
	switch method {
	case http.MethodPut:
		switch {
		case has("uploadId") && copySource:
			return OpUploadPartCopy
		case has("uploadId"):
			return OpUploadPart
		case len(q) > 0:
			return ""
		case copySource:
			return OpCopyObject
		}
		return OpPutObject
	case http.MethodGet:
		if has("uploadId") {
			return OpListParts
		}
		if len(q) == 0 || onlyResponseParams(q) {
			return OpGetObject
		}
	case http.MethodHead:
		if has("objectMeta") {
			return OpGetObjectMeta
		}
		if len(q) == 0 {
			return OpHeadObject
		}
	case http.MethodDelete:
		if has("uploadId") {
			return OpAbortMultipartUpload
		}
		if len(q) == 0 {
			return OpDeleteObject
		}
	case http.MethodPost:
		if has("uploads") {
			return OpInitiateMultipartUpload
		}
		if has("uploadId") {
			return OpCompleteMultipartUpload
		}
	}
	return ""
}

// onlyResponseParams reports whether every query parameter is one of the
// response-* overrides a GetObject may carry.
func onlyResponseParams(q url.Values) bool {
	for k := range q {
		if !strings.HasPrefix(k, "response-") {
			return false
		}
	}
	return true
}
