package redshift

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// DataAPIOptions configures a Data API emulator.
type DataAPIOptions struct {
	// Front runs the statements: each one connects to it as the
	// statement's database user, so UNLOAD and the catalog views behave
	// exactly as over the PostgreSQL protocol.
	Front *Front
	// Secrets maps a Secrets Manager ARN to the database user it holds;
	// the password is the front's for that user.
	Secrets map[string]string
	// WorkgroupUser is the database user of statements that name a
	// WorkgroupName without DbUser or SecretArn (the caller's IAM
	// identity in Redshift Serverless). Default "awsuser".
	WorkgroupUser string
	// PageRows is the number of records of one GetStatementResult page
	// (default 1000), made small by tests to exercise NextToken.
	PageRows int
	// Delay keeps every statement SUBMITTED, then STARTED, for at least
	// this long, so that clients must poll DescribeStatement.
	Delay time.Duration
}

// DataAPI is a running Redshift Data API emulator: POST / with
// X-Amz-Target: RedshiftData.<Operation> and a JSON 1.1 body, the
// protocol service/redshiftdata speaks. It serves ExecuteStatement,
// DescribeStatement, GetStatementResult and CancelStatement, with
// sessions (SessionKeepAliveSeconds, SessionId). Requests must carry a
// SigV4 Authorization header for the redshift-data service; its
// signature is checked for form, not recomputed.
type DataAPI struct {
	// URL is the endpoint to give the SDK as its BaseEndpoint.
	URL string

	opts DataAPIOptions
	ln   net.Listener
	srv  *http.Server

	mu         sync.Mutex
	statements map[string]*statement
	sessions   map[string]*dataSession
	calls      map[string]int
	keys       map[string]bool
}

// NewDataAPI starts the emulator on a free loopback port.
func NewDataAPI(opts DataAPIOptions) (*DataAPI, error) {
	if opts.Front == nil {
		return nil, errors.New("data API: a Front is required")
	}
	if opts.PageRows <= 0 {
		opts.PageRows = 1000
	}
	if opts.WorkgroupUser == "" {
		opts.WorkgroupUser = "awsuser"
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	d := &DataAPI{URL: "http://" + ln.Addr().String(), opts: opts, ln: ln,
		statements: map[string]*statement{}, sessions: map[string]*dataSession{},
		calls: map[string]int{}, keys: map[string]bool{}}
	d.srv = &http.Server{Handler: d, ReadHeaderTimeout: 10 * time.Second}
	go d.srv.Serve(ln)
	return d, nil
}

// StartDataAPI starts a DataAPI for the test and stops it when the test
// ends.
func StartDataAPI(t testing.TB, opts DataAPIOptions) *DataAPI {
	t.Helper()
	d, err := NewDataAPI(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// Close stops serving and closes every session.
func (d *DataAPI) Close() error {
	err := d.srv.Close()
	d.mu.Lock()
	defer d.mu.Unlock()
	for id, s := range d.sessions {
		s.close()
		delete(d.sessions, id)
	}
	return err
}

// Calls returns how many requests of the operation (such as
// "DescribeStatement") have been served.
func (d *DataAPI) Calls(op string) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.calls[op]
}

// AccessKeys returns the access key IDs requests were signed with.
func (d *DataAPI) AccessKeys() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []string
	for k := range d.keys {
		out = append(out, k)
	}
	return out
}

// apiError is an error reply: HTTP status, __type and message.
type apiError struct {
	status  int
	code    string
	message string
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

func validation(format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, code: "ValidationException", message: fmt.Sprintf(format, args...)}
}

// sigV4 is the form of a SigV4 Authorization header for redshift-data.
var sigV4 = regexp.MustCompile(`^AWS4-HMAC-SHA256 Credential=([A-Za-z0-9]+)/(\d{8})/([a-z0-9-]+)/redshift-data/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=[0-9a-f]{64}$`)

// ServeHTTP dispatches one request by its X-Amz-Target.
func (d *DataAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "RedshiftData.")
	var out any
	var err error
	switch {
	case r.Method != http.MethodPost || r.URL.Path != "/" || !ok:
		err = &apiError{status: http.StatusNotFound, code: "UnknownOperationException", message: "expected POST / with X-Amz-Target: RedshiftData.<Operation>"}
	case !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-amz-json-1.1"):
		err = validation("Content-Type must be application/x-amz-json-1.1")
	default:
		err = d.checkSignature(r)
	}
	if err == nil {
		d.mu.Lock()
		d.calls[op]++
		d.mu.Unlock()
		dec := json.NewDecoder(r.Body)
		switch op {
		case "ExecuteStatement":
			var in executeInput
			if err = dec.Decode(&in); err == nil {
				out, err = d.execute(in)
			}
		case "DescribeStatement":
			var in idInput
			if err = dec.Decode(&in); err == nil {
				out, err = d.describe(in.ID)
			}
		case "GetStatementResult":
			var in resultInput
			if err = dec.Decode(&in); err == nil {
				out, err = d.result(in)
			}
		case "CancelStatement":
			var in idInput
			if err = dec.Decode(&in); err == nil {
				out, err = d.cancel(in.ID)
			}
		default:
			err = &apiError{status: http.StatusBadRequest, code: "UnknownOperationException", message: "operation " + op + " is not served by this emulator"}
		}
		var se *json.SyntaxError
		if errors.As(err, &se) {
			err = validation("malformed JSON body: %v", se)
		}
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-RequestId", newID())
	if err != nil {
		var ae *apiError
		if !errors.As(err, &ae) {
			ae = &apiError{status: http.StatusInternalServerError, code: "InternalServerException", message: err.Error()}
		}
		w.Header().Set("X-Amzn-ErrorType", ae.code)
		w.WriteHeader(ae.status)
		json.NewEncoder(w).Encode(map[string]string{"__type": ae.code, "message": ae.message})
		return
	}
	json.NewEncoder(w).Encode(out)
}

// checkSignature checks that the request is SigV4-signed for the
// redshift-data service and records the access key.
func (d *DataAPI) checkSignature(r *http.Request) error {
	m := sigV4.FindStringSubmatch(r.Header.Get("Authorization"))
	if m == nil || r.Header.Get("X-Amz-Date") == "" || !strings.Contains(m[4], "host") || !strings.Contains(m[4], "x-amz-date") {
		return &apiError{status: http.StatusForbidden, code: "IncompleteSignatureException",
			message: "the request must be signed with AWS Signature Version 4 for the redshift-data service"}
	}
	if !strings.HasPrefix(r.Header.Get("X-Amz-Date"), m[2]) {
		return &apiError{status: http.StatusForbidden, code: "InvalidSignatureException", message: "credential scope date does not match X-Amz-Date"}
	}
	d.mu.Lock()
	d.keys[m[1]] = true
	d.mu.Unlock()
	return nil
}

// newID returns a random UUID.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// epoch renders t as the epoch seconds JSON number the SDK expects.
func epoch(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }

// background is the context statements run in: they outlive the
// ExecuteStatement request that started them.
var background = context.Background()
