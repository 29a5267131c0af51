package faultproxy

import (
	"encoding/binary"
	"encoding/xml"
	"fmt"
	"hash/fnv"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Fault is one way a request can go wrong. Error replies are named by
// their HTTP status code ("500"); Status builds them.
type Fault string

// The faults that are not an error reply.
const (
	// Reset closes the client's connection with a TCP reset before the
	// request reaches the server, as a load balancer dropping it would.
	Reset Fault = "reset"
	// Slow forwards the request, then holds the server's reply back for
	// Options.Delay: the server has acted, the client hears late.
	Slow Fault = "slow"
	// Timeout never answers: the request is held, unforwarded, until the
	// client gives up (or the proxy stops, which resets the connection).
	Timeout Fault = "timeout"
)

// Status is the fault of answering with the HTTP status code instead of
// forwarding the request. Codes 400 to 599 are valid.
func Status(code int) Fault { return Fault(strconv.Itoa(code)) }

// status returns the code of an error-reply fault.
func (f Fault) status() (int, bool) {
	code, err := strconv.Atoi(string(f))
	return code, err == nil && code >= 400 && code <= 599
}

// defaultDelay is how long a Slow fault holds a reply back.
const defaultDelay = 500 * time.Millisecond

// Options say which requests fail and how. The zero value forwards every
// request untouched.
type Options struct {
	// Rate is the probability, from 0 to 1, that a matching request gets
	// a fault instead of a normal answer. 1 fails every one.
	Rate float64
	// Seed chooses which requests fail and with which fault; see the
	// package documentation for what stays the same between runs.
	Seed uint64
	// Faults are the faults to pick from, each equally likely. Empty
	// means Status(500), Status(503) and Reset: the transient failures a
	// client must retry through.
	Faults []Fault
	// S3Errors gives error replies an S3-style XML body
	// (<Error><Code>InternalError</Code>…) with the code S3 uses for the
	// status, so SDKs classify them as they would a real S3 error. Without
	// it the body is one line of text.
	S3Errors bool
	// Delay is how long a Slow fault holds the reply (default 500ms).
	Delay time.Duration
	// Methods, when set, limits faults to requests with one of these
	// methods ("PUT", "GET", …).
	Methods []string
	// PathPrefix, when set, limits faults to requests whose URL path
	// starts with it.
	PathPrefix string
}

// Proxy is a running fault-injecting reverse proxy. It is safe for
// concurrent use.
type Proxy struct {
	opts Options
	srv  *httptest.Server
	rp   *httputil.ReverseProxy
	// done is closed when the test ends, releasing held requests.
	done chan struct{}

	mu       sync.Mutex
	seen     map[string]uint64 // requests so far per method and URL
	requests int
	injected map[Fault]int
}

// Start starts a proxy in front of target (a base URL such as
// "http://127.0.0.1:7070") and stops it when the test ends. Invalid
// options fail the test.
func Start(t testing.TB, target string, opts Options) *Proxy {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil || u.Scheme == "" || u.Host == "" {
		t.Fatalf("faultproxy: target %q is not a base URL", target)
	}
	if opts.Rate < 0 || opts.Rate > 1 {
		t.Fatalf("faultproxy: rate %v is outside 0..1", opts.Rate)
	}
	if len(opts.Faults) == 0 {
		opts.Faults = []Fault{Status(500), Status(503), Reset}
	}
	for _, f := range opts.Faults {
		if _, ok := f.status(); !ok && f != Reset && f != Slow && f != Timeout {
			t.Fatalf("faultproxy: unknown fault %q", f)
		}
	}
	if opts.Delay <= 0 {
		opts.Delay = defaultDelay
	}

	transport := http.DefaultTransport.(*http.Transport).Clone()
	p := &Proxy{
		opts:     opts,
		done:     make(chan struct{}),
		seen:     map[string]uint64{},
		injected: map[Fault]int{},
	}
	p.rp = &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(u)
			// The client signed the Host it sent; the server must see it.
			r.Out.Host = r.In.Host
		},
		Transport: transport,
		ErrorLog:  log.New(io.Discard, "", 0),
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			w.WriteHeader(http.StatusBadGateway)
			fmt.Fprintf(w, "faultproxy: forwarding %s %s: %v\n", r.Method, r.URL.Path, err)
		},
	}
	p.srv = httptest.NewServer(p)
	t.Cleanup(func() {
		close(p.done)
		p.srv.Close()
		transport.CloseIdleConnections()
	})
	return p
}

// URL returns the proxy's base URL, to use in place of the target's.
func (p *Proxy) URL() string { return p.srv.URL }

// Injected returns how many faults of each kind were injected so far.
func (p *Proxy) Injected() map[Fault]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[Fault]int, len(p.injected))
	for f, n := range p.injected {
		out[f] = n
	}
	return out
}

// Count returns how many times fault f was injected so far.
func (p *Proxy) Count(f Fault) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.injected[f]
}

// Total returns how many faults of any kind were injected so far.
func (p *Proxy) Total() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, c := range p.injected {
		n += c
	}
	return n
}

// Requests returns how many requests reached the proxy, faulty or not.
func (p *Proxy) Requests() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.requests
}

// ServeHTTP injects the fault chosen for r, or forwards it.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f := p.choose(r)
	if code, ok := f.status(); ok {
		p.errorReply(w, r, code)
		return
	}
	switch f {
	case Reset:
		p.reset(w)
	case Timeout:
		select {
		case <-r.Context().Done():
		case <-p.done:
			p.reset(w)
		}
	case Slow:
		p.rp.ServeHTTP(&slowWriter{ResponseWriter: w, wait: func() {
			t := time.NewTimer(p.opts.Delay)
			defer t.Stop()
			select {
			case <-t.C:
			case <-r.Context().Done():
			case <-p.done:
			}
		}}, r)
	default:
		p.rp.ServeHTTP(w, r)
	}
}

// choose returns the fault for r, "" for none, and counts it.
func (p *Proxy) choose(r *http.Request) Fault {
	key := r.Method + " " + r.URL.RequestURI()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.requests++
	n := p.seen[key]
	p.seen[key] = n + 1
	if !p.matches(r) || p.opts.Rate == 0 {
		return ""
	}
	h := fnv.New64a()
	_ = binary.Write(h, binary.LittleEndian, p.opts.Seed)
	_, _ = io.WriteString(h, key)
	_ = binary.Write(h, binary.LittleEndian, n)
	x := splitmix(h.Sum64())
	if float64(x>>11)/(1<<53) >= p.opts.Rate {
		return ""
	}
	f := p.opts.Faults[splitmix(x)%uint64(len(p.opts.Faults))]
	p.injected[f]++
	return f
}

// matches tells whether r is one of the requests faults may hit.
func (p *Proxy) matches(r *http.Request) bool {
	if len(p.opts.Methods) > 0 && !slices.ContainsFunc(p.opts.Methods, func(m string) bool { return strings.EqualFold(m, r.Method) }) {
		return false
	}
	return strings.HasPrefix(r.URL.Path, p.opts.PathPrefix)
}

// splitmix is SplitMix64's finaliser: it spreads FNV's weak low bits over
// the whole word so both draws made from one hash are uniform.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// reset hijacks the connection and closes it with SO_LINGER 0, so the
// client sees "connection reset by peer" rather than a clean EOF.
func (p *Proxy) reset(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// Not hijackable (HTTP/2): the closest thing is a broken reply.
		panic(http.ErrAbortHandler)
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
}

// s3Codes are the error codes S3 sends with each status.
var s3Codes = map[int]string{
	400: "InvalidRequest",
	403: "AccessDenied",
	404: "NoSuchKey",
	409: "OperationAborted",
	429: "TooManyRequestsException",
	500: "InternalError",
	501: "NotImplemented",
	503: "ServiceUnavailable",
	504: "GatewayTimeout",
}

// errorReply answers r with code without forwarding it.
func (p *Proxy) errorReply(w http.ResponseWriter, r *http.Request, code int) {
	h := w.Header()
	h.Set("X-Faultproxy", "injected")
	if !p.opts.S3Errors {
		h.Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(code)
		fmt.Fprintf(w, "faultproxy: injected %d %s\n", code, http.StatusText(code))
		return
	}
	s3Code, ok := s3Codes[code]
	if !ok {
		s3Code = strings.ReplaceAll(http.StatusText(code), " ", "")
	}
	id := fmt.Sprintf("faultproxy-%d", p.Requests())
	h.Set("Content-Type", "application/xml")
	h.Set("X-Amz-Request-Id", id)
	w.WriteHeader(code)
	if r.Method == http.MethodHead {
		return
	}
	var resource strings.Builder
	_ = xml.EscapeText(&resource, []byte(r.URL.Path))
	fmt.Fprintf(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s</Code><Message>injected by faultproxy: %d %s</Message><Resource>%s</Resource><RequestId>%s</RequestId></Error>",
		s3Code, code, http.StatusText(code), resource.String(), id)
}

// slowWriter holds the reply back until wait returns, once, at the first
// header or body write.
type slowWriter struct {
	http.ResponseWriter
	wait func()
	once sync.Once
}

// WriteHeader waits, then sends the status.
func (s *slowWriter) WriteHeader(code int) {
	s.once.Do(s.wait)
	s.ResponseWriter.WriteHeader(code)
}

// Write waits, then sends b.
func (s *slowWriter) Write(b []byte) (int, error) {
	s.once.Do(s.wait)
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection for flushing.
func (s *slowWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }
