package oss

import (
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Faults describes failures to inject, so that tests can check that
// clients retry and never publish damaged objects.
type Faults struct {
	// Rate is the probability, from 0 to 1, that a request matching Ops
	// fails.
	Rate float64
	// Codes are the HTTP status codes a failing request answers with,
	// chosen at random (default 503). Each comes with the OSS error code
	// matching it (InternalError for 500, ServiceUnavailable for 503, …).
	Codes []int
	// Reset makes failing requests have their connection closed, with no
	// reply, instead of answering an error status. With Codes also set,
	// half the failures are resets and half are status codes.
	Reset bool
	// Delay is added before every request matching Ops, failing or not,
	// to simulate a slow link.
	Delay time.Duration
	// Ops limits faults (and Delay) to these operations (OpPutObject,
	// OpUploadPart, …); empty means every operation.
	Ops []string
	// Seed makes the sequence of failures reproducible for a given
	// sequence of requests.
	Seed int64
}

// faultState is the live fault configuration and its random source.
type faultState struct {
	mu       sync.Mutex
	f        *Faults
	ops      map[string]bool
	rng      *rand.Rand
	injected atomic.Int64
}

// SetFaults replaces the fault configuration; nil turns faults off. Tests
// usually seed a bucket without faults and then turn them on.
func (s *Server) SetFaults(f *Faults) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	if f == nil {
		s.faults.f = nil
		return
	}
	c := *f
	s.faults.f = &c
	s.faults.ops = map[string]bool{}
	for _, op := range c.Ops {
		s.faults.ops[op] = true
	}
	s.faults.rng = rand.New(rand.NewPCG(uint64(c.Seed), uint64(c.Seed)^0x9E3779B97F4A7C15))
}

// Injected returns how many faults (error replies and resets) have been
// injected since the server started.
func (s *Server) Injected() int64 { return s.faults.injected.Load() }

// fault kinds decided for one request.
const (
	faultNone = iota
	faultStatus
	faultReset
)

// decide picks the fault, if any, for a request of op.
func (fs *faultState) decide(op string) (kind, status int, delay time.Duration) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	f := fs.f
	if f == nil || (len(fs.ops) > 0 && !fs.ops[op]) {
		return faultNone, 0, 0
	}
	if f.Rate <= 0 || fs.rng.Float64() >= f.Rate {
		return faultNone, 0, f.Delay
	}
	if f.Reset && (len(f.Codes) == 0 || fs.rng.IntN(2) == 0) {
		return faultReset, 0, f.Delay
	}
	status = http.StatusServiceUnavailable
	if len(f.Codes) > 0 {
		status = f.Codes[fs.rng.IntN(len(f.Codes))]
	}
	return faultStatus, status, f.Delay
}

// injectFault applies the configured delay and, when this request is
// chosen to fail, answers it with an error or drops the connection. It
// reports whether the request has been dealt with.
func (s *Server) injectFault(w http.ResponseWriter, r *http.Request, req *request) bool {
	kind, status, delay := s.faults.decide(req.op)
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return true
		}
	}
	switch kind {
	case faultReset:
		s.faults.injected.Add(1)
		resetConnection(w)
		return true
	case faultStatus:
		s.faults.injected.Add(1)
		s.fail(w, r, req, status, statusCode(status), "Injected fault.")
		return true
	}
	return false
}

// resetConnection closes the client connection without a reply, with a
// TCP reset where the platform allows, as a failing middlebox would.
func resetConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	conn.Close()
}

// statusCode is the OSS error code that goes with an HTTP status.
func statusCode(status int) string {
	switch status {
	case http.StatusInternalServerError:
		return errorCodeInternalError
	case http.StatusServiceUnavailable:
		return errorCodeServiceUnavailable
	case http.StatusBadGateway:
		return "BadGateway"
	case http.StatusGatewayTimeout:
		return "GatewayTimeout"
	case http.StatusTooManyRequests:
		return "Throttling"
	case http.StatusForbidden:
		return "AccessDenied"
	case http.StatusNotFound:
		return "NoSuchKey"
	}
	return http.StatusText(status)
}

// drain reads and discards what is left of a request body.
func drain(r io.Reader) { _, _ = io.Copy(io.Discard, io.LimitReader(r, 64<<20)) }
