package mgw

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const (
	defaultPartSize = 5 << 20
	defaultWorkers  = 4
	maxBody         = 1 << 20
)

// Options configure a Server.
type Options struct {
	// UserID is the account uid every request's Host must start with.
	UserID string
	// Region is the service region requests are signed for
	// ("cn-hangzhou").
	Region string
	// AccessKeyID and AccessKeySecret are the one key pair the service
	// accepts; SecurityToken, when set, must arrive in
	// x-oss-security-token.
	AccessKeyID     string
	AccessKeySecret string
	SecurityToken   string
	// OSS is where destination addresses are written.
	OSS OSSTarget
	// Roles are the RAM role names a destination address may use
	// (empty: any name).
	Roles []string
	// PartSize is the size from which an object is copied in parts, and
	// the part size (default 5 MiB).
	PartSize int64
	// Workers is how many objects a run copies at once (default 4).
	Workers int
	// Faults, when set, are in force from the start.
	Faults *Faults
}

// OSSTarget is the OSS server the emulated service writes to, standing
// in for every OSS region: the address's RegionId only chooses the V4
// signing region ("oss-cn-hangzhou" signs for "cn-hangzhou").
type OSSTarget struct {
	Endpoint        string
	AccessKeyID     string
	AccessKeySecret string
}

// Faults are failures to inject. They are read as each object or
// request is handled, so changing them affects runs in progress.
type Faults struct {
	// FailObjects makes the first N objects (in key order) of every run
	// fail instead of being copied.
	FailObjects int
	// ObjectDelay is waited before each object is copied.
	ObjectDelay time.Duration
	// RunningStatus, when set, is the job status shown while objects are
	// copied, instead of IMPORT_JOB_DOING.
	RunningStatus string
	// FinishedStatus, when set, is the job status shown once a run has
	// ended, instead of IMPORT_JOB_FINISHED.
	FinishedStatus string
	// FailRequests makes the next N API requests answer 503
	// ServiceUnavailable before they are authenticated.
	FailRequests int
}

// Server is an in-process Data Online Migration endpoint.
type Server struct {
	opts    Options
	httpSrv *httptest.Server
	ctx     context.Context
	stop    context.CancelFunc
	wg      sync.WaitGroup

	mu        sync.Mutex
	faults    Faults
	addresses map[string]*address
	jobs      map[string]*job
	calls     map[string]int
	seq       atomic.Int64
}

// New returns a Server with no addresses or jobs, to be served by the
// caller; Start also serves it.
func New(opts Options) *Server {
	if opts.PartSize <= 0 {
		opts.PartSize = defaultPartSize
	}
	if opts.Workers <= 0 {
		opts.Workers = defaultWorkers
	}
	s := &Server{opts: opts, addresses: map[string]*address{}, jobs: map[string]*job{}, calls: map[string]int{}}
	s.ctx, s.stop = context.WithCancel(context.Background())
	if opts.Faults != nil {
		s.faults = *opts.Faults
	}
	return s
}

// Start serves a new Server on a loopback port until the test ends;
// running copies are stopped then.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	s := New(opts)
	s.httpSrv = httptest.NewServer(s)
	t.Cleanup(s.Close)
	return s
}

// Endpoint returns the base URL the server listens on.
func (s *Server) Endpoint() string {
	if s.httpSrv == nil {
		return ""
	}
	return s.httpSrv.URL
}

// Close stops running copies and, when started with Start, the server.
func (s *Server) Close() {
	s.stop()
	s.wg.Wait()
	if s.httpSrv != nil {
		s.httpSrv.Close()
	}
}

// SetFaults replaces the injected faults; nil turns them off.
func (s *Server) SetFaults(f *Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = Faults{}
	if f != nil {
		s.faults = *f
	}
}

// currentFaults returns the faults in force.
func (s *Server) currentFaults() Faults {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults
}

// Calls returns how many requests of an operation ("CreateJob") have
// succeeded.
func (s *Server) Calls(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[op]
}

// Addresses returns the names of the existing addresses, sorted.
func (s *Server) Addresses() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return sortedKeys(s.addresses)
}

// Jobs returns the names of the existing jobs, sorted.
func (s *Server) Jobs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return sortedKeys(s.jobs)
}

// JobStatus returns a job's status, and false when there is no such job.
func (s *Server) JobStatus(name string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j := s.jobs[name]
	if j == nil {
		return "", false
	}
	return j.status, true
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// apiError is an error reply: status, code and message.
type apiError struct {
	status        int
	code, message string
	// fields are extra elements of the error body (StringToSign, …).
	fields []extra
}

// errorf builds an apiError.
func errorf(status int, code, format string, args ...any) *apiError {
	return &apiError{status: status, code: code, message: fmt.Sprintf(format, args...)}
}

// errorBody is the XML error document.
type errorBody struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string   `xml:"Code"`
	Message   string   `xml:"Message"`
	RequestID string   `xml:"RequestId"`
	HostID    string   `xml:"HostId"`
	Extra     []extra  `xml:",any"`
}

// extra is an additional element of an error body.
type extra struct {
	XMLName xml.Name
	Value   string `xml:",chardata"`
}

// route names an API request's operation and its resource name.
func route(r *http.Request) (op, name string) {
	q := r.URL.Query()
	has := func(k string) bool { _, ok := q[k]; return ok }
	parts := strings.SplitN(strings.TrimPrefix(r.URL.Path, "/"), "/", 2)
	if len(parts) == 2 {
		name = parts[1]
	}
	switch parts[0] + " " + r.Method {
	case "address POST":
		if name == "" {
			return "CreateAddress", ""
		}
	case "address GET":
		if has("verify") {
			return "VerifyAddress", name
		}
		return "GetAddress", name
	case "address DELETE":
		return "DeleteAddress", name
	case "job POST":
		if name == "" {
			return "CreateJob", ""
		}
	case "job GET":
		if has("jobResult") {
			return "GetJobResult", name
		}
		return "GetJob", name
	case "job PUT":
		return "UpdateJob", name
	case "job DELETE":
		return "DeleteJob", name
	case "jobhistory GET":
		return "ListJobHistory", name
	case "report POST":
		return "CreateReport", ""
	case "report GET":
		return "GetReport", ""
	}
	return "", ""
}

// ServeHTTP injects faults, authenticates, and runs one operation.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	reqID := s.requestID()
	w.Header().Set("x-oss-request-id", reqID)
	w.Header().Set("Server", "AliyunOSS")
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		s.reply(w, reqID, errorf(http.StatusBadRequest, "InvalidArgument", "cannot read the body: %v", err), nil)
		return
	}
	if s.takeRequestFault() {
		s.reply(w, reqID, errorf(http.StatusServiceUnavailable, "ServiceUnavailable", "Please reduce your request rate."), nil)
		return
	}
	if e := s.authenticate(r, body); e != nil {
		s.reply(w, reqID, e, nil)
		return
	}
	op, name := route(r)
	if op == "" {
		s.reply(w, reqID, errorf(http.StatusNotImplemented, "NotImplemented", "%s %s is not supported by this emulator.", r.Method, r.URL.Path), nil)
		return
	}
	out, e := s.dispatch(op, name, r, body)
	if e == nil {
		s.mu.Lock()
		s.calls[op]++
		s.mu.Unlock()
	}
	s.reply(w, reqID, e, out)
}

// takeRequestFault consumes one injected request failure, if any.
func (s *Server) takeRequestFault() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.faults.FailRequests > 0 {
		s.faults.FailRequests--
		return true
	}
	return false
}

// dispatch runs op.
func (s *Server) dispatch(op, name string, r *http.Request, body []byte) (any, *apiError) {
	q := r.URL.Query()
	switch op {
	case "CreateAddress":
		return nil, s.createAddress(body)
	case "GetAddress":
		return s.getAddress(name)
	case "VerifyAddress":
		return s.verifyAddress(r.Context(), name)
	case "DeleteAddress":
		return nil, s.deleteAddress(name)
	case "CreateJob":
		return nil, s.createJob(body)
	case "GetJob":
		return s.getJob(name)
	case "UpdateJob":
		return nil, s.updateJob(name, body)
	case "DeleteJob":
		return nil, s.deleteJob(name)
	case "GetJobResult":
		return s.jobResult(name, q.Get("runtimeId"))
	case "ListJobHistory":
		return s.listHistory(name, q)
	case "CreateReport":
		return nil, s.createReport(body)
	case "GetReport":
		return s.getReport(q.Get("version"), q.Get("runtimeId"))
	}
	return nil, errorf(http.StatusNotImplemented, "NotImplemented", "%s is not supported.", op)
}

// reply writes an error, or out as XML (nothing when out is nil).
func (s *Server) reply(w http.ResponseWriter, reqID string, e *apiError, out any) {
	if e != nil {
		body := errorBody{Code: e.code, Message: e.message, RequestID: reqID, HostID: s.opts.UserID + "." + s.opts.Region + ".mgw.aliyuncs.com"}
		body.Extra = e.fields
		data, _ := xml.Marshal(body)
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(e.status)
		_, _ = w.Write(append([]byte(xml.Header), data...))
		return
	}
	if out == nil {
		w.WriteHeader(http.StatusOK)
		return
	}
	data, err := xml.Marshal(out)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	_, _ = w.Write(append([]byte(xml.Header), data...))
}

// requestID returns a unique request ID shaped like the service's.
func (s *Server) requestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%08X%s", s.seq.Add(1), strings.ToUpper(hex.EncodeToString(b[:])))
}

// newVersion returns a UUID-shaped identifier.
func newVersion() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
