package maxcompute

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"io/fs"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// LocationReader gives the emulator read access to the objects a LOAD
// names. A location is the LOAD's 'oss://endpoint/bucket/prefix/' with any
// AccessKey user info removed.
type LocationReader interface {
	// List returns the names of every object under the location, relative
	// to it ("part-0000.parquet", "ds=1/part-0000.parquet"), in any order.
	List(ctx context.Context, location string) ([]string, error)
	// Open reads one object that List returned.
	Open(ctx context.Context, location, name string) (io.ReadCloser, error)
}

// Options configures an emulated MaxCompute service.
type Options struct {
	// AccessKeyID and AccessKeySecret are the only credentials accepted;
	// every request's V2 or V4 signature is verified against them.
	AccessKeyID, AccessKeySecret string
	// SecurityToken, when set, must arrive in Authorization-Sts-Token, as
	// an STS account sends it.
	SecurityToken string
	// Region is reported as the project's region and, when set, must be
	// the region a V4 signature names.
	Region string
	// Project is the one project the service holds.
	Project string
	// Settings are project-level flags (setproject), overridden by the
	// settings of each SQL task. None by default, so that a statement
	// relying on odps.sql.type.system.odps2 must send it.
	Settings map[string]string
	// Locations reads the objects LOAD statements name.
	Locations LocationReader
	// FaultRate is the share of requests answered 500 or 503 before they
	// are processed, chosen by a generator seeded with FaultSeed.
	FaultRate float64
	FaultSeed int64
	// RunningPolls is how many task-status polls of each instance answer
	// Running before the real status (default 1), so callers must poll.
	RunningPolls int
	// TaskDelay keeps every instance running at least this long.
	TaskDelay time.Duration
	// MaxFileBytes is the largest file LOAD reads (default 3 GB, the
	// documented limit for open-source formats).
	MaxFileBytes int64
}

// Server is a running emulated MaxCompute service on loopback.
type Server struct {
	// Endpoint is the service endpoint the SDK takes, ending in /api.
	Endpoint string

	opts    Options
	hs      *httptest.Server
	project *project
	faults  atomic.Int64
	reqSeq  atomic.Int64
	running sync.WaitGroup

	mu        sync.Mutex
	rnd       *rand.Rand
	instances map[string]*instance
}

// Start starts an emulated service for the test and stops it when the test
// ends.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	s, err := NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// NewServer starts an emulated service; Close stops it.
func NewServer(opts Options) (*Server, error) {
	if opts.Project == "" || opts.AccessKeyID == "" || opts.AccessKeySecret == "" {
		return nil, fmt.Errorf("maxcompute emulator: Project, AccessKeyID and AccessKeySecret are required")
	}
	if opts.RunningPolls == 0 {
		opts.RunningPolls = 1
	}
	p, err := openProject(opts.Project, opts.Settings)
	if err != nil {
		return nil, err
	}
	s := &Server{
		opts:      opts,
		project:   p,
		rnd:       rand.New(rand.NewSource(opts.FaultSeed)),
		instances: map[string]*instance{},
	}
	s.hs = httptest.NewServer(http.HandlerFunc(s.serve))
	s.Endpoint = s.hs.URL + "/api"
	return s, nil
}

// Close stops the server after the running instances finish.
func (s *Server) Close() {
	s.hs.Close()
	s.running.Wait()
	s.project.close()
}

// FaultsInjected returns how many requests were answered with an injected
// 500 or 503.
func (s *Server) FaultsInjected() int64 { return s.faults.Load() }

// serve authenticates, injects faults and routes one request.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("x-odps-request-id", fmt.Sprintf("%s%08d", time.Now().UTC().Format("20060102150405"), s.reqSeq.Add(1)))
	path, ok := strings.CutPrefix(r.URL.Path, "/api/")
	if !ok {
		writeError(w, http.StatusNotFound, "NoSuchObject", "ODPS-0010000:System internal error - unknown resource "+r.URL.Path)
		return
	}
	if e := s.authenticate(r); e != nil {
		writeError(w, e.status, e.code, e.message)
		return
	}
	if s.fault() {
		s.faults.Add(1)
		status := http.StatusInternalServerError
		if s.faults.Load()%2 == 0 {
			status = http.StatusServiceUnavailable
		}
		writeError(w, status, "InternalServerError", "ODPS-0010000:System internal error - injected fault")
		return
	}
	parts := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case r.Method == http.MethodGet && path == "webconsole/host":
		io.WriteString(w, "https://maxcompute.console.aliyun.com")
	case r.Method == http.MethodGet && path == "logview/host":
		io.WriteString(w, "https://logview.aliyun.com")
	case parts[0] != "projects" || len(parts) < 2:
		writeError(w, http.StatusNotFound, "NoSuchObject", "ODPS-0010000:System internal error - unknown resource "+r.URL.Path)
	case parts[1] != s.opts.Project:
		writeError(w, http.StatusNotFound, "NoSuchObject", fmt.Sprintf("ODPS-0420111:Project not found - '%s'", parts[1]))
	case len(parts) == 2 && r.Method == http.MethodGet:
		s.getProject(w)
	case len(parts) == 3 && parts[2] == "authorization" && r.Method == http.MethodPost:
		writeXML(w, http.StatusOK, struct {
			XMLName xml.Name `xml:"Authorization"`
			Result  string
		}{Result: "emulator-logview-token"})
	case len(parts) == 3 && parts[2] == "instances" && r.Method == http.MethodPost:
		s.createInstance(w, r)
	case len(parts) == 4 && parts[2] == "instances" && r.Method == http.MethodGet:
		s.getInstance(w, r, parts[3])
	case len(parts) == 4 && parts[2] == "instances" && r.Method == http.MethodPut:
		s.terminateInstance(w, parts[3])
	case len(parts) == 3 && parts[2] == "tables" && r.Method == http.MethodGet:
		s.listTables(w, r)
	case len(parts) == 3 && parts[2] == "tables" && r.Method == http.MethodPost && r.URL.Query().Has("query"):
		s.batchLoadTables(w, r)
	case len(parts) == 4 && parts[2] == "tables" && r.Method == http.MethodGet:
		s.getTable(w, r, parts[3])
	default:
		writeError(w, http.StatusMethodNotAllowed, "MethodNotAllowed",
			fmt.Sprintf("ODPS-0010000:System internal error - %s %s is not emulated", r.Method, r.URL.Path))
	}
}

// fault decides whether to fail the current request.
func (s *Server) fault() bool {
	if s.opts.FaultRate <= 0 {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rnd.Float64() < s.opts.FaultRate
}

// getProject answers Project.Load, which the SDK's job-insight Logview
// uses to learn the region.
func (s *Server) getProject(w http.ResponseWriter) {
	region := s.opts.Region
	if region == "" {
		region = "cn-hangzhou"
	}
	writeXML(w, http.StatusOK, struct {
		XMLName xml.Name `xml:"Project"`
		Name    string
		Type    string
		Comment string
		State   string
		Region  string
	}{Name: s.opts.Project, Type: "managed", State: "AVAILABLE", Region: region})
}

// errorBody is the service's error document, which the SDK parses into
// restclient.ErrorMessage.
type errorBody struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string
	Message   string
	RequestID string `xml:"RequestId"`
	HostID    string `xml:"HostId"`
}

// writeError answers with the service's XML error document. The status
// text is Go's, so a 404 reads exactly "404 Not Found", which
// Table.Exists relies on.
func writeError(w http.ResponseWriter, status int, code, message string) {
	writeXML(w, status, errorBody{
		Code: code, Message: message,
		RequestID: w.Header().Get("x-odps-request-id"), HostID: "maxcompute-emulator",
	})
}

// writeXML writes v as an XML document with the declaration the service
// sends.
func writeXML(w http.ResponseWriter, status int, v any) {
	b, err := xml.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	io.WriteString(w, xml.Header)
	w.Write(b)
}

// DirLocations is a LocationReader over a local directory: the location
// oss://endpoint/bucket/prefix/ is the folder Root/bucket/prefix, whatever
// the endpoint. A missing folder lists as empty, as an empty OSS prefix
// does.
type DirLocations struct {
	Root string
}

// folder maps a location to its directory.
func (d DirLocations) folder(location string) (string, error) {
	u, err := url.Parse(location)
	if err != nil || u.Scheme != "oss" {
		return "", fmt.Errorf("location %q is not an oss:// URL", location)
	}
	rel := strings.Trim(u.Path, "/")
	if strings.Contains("/"+rel+"/", "/../") {
		return "", fmt.Errorf("location %q escapes the root", location)
	}
	return filepath.Join(d.Root, filepath.FromSlash(rel)), nil
}

// List returns every file under the location, with slash-separated names
// relative to it.
func (d DirLocations) List(ctx context.Context, location string) ([]string, error) {
	dir, err := d.folder(location)
	if err != nil {
		return nil, err
	}
	var names []string
	err = filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) && path == dir {
				return filepath.SkipDir
			}
			return err
		}
		if !e.IsDir() {
			rel, err := filepath.Rel(dir, path)
			if err != nil {
				return err
			}
			names = append(names, filepath.ToSlash(rel))
		}
		return nil
	})
	return names, err
}

// Open opens one listed file.
func (d DirLocations) Open(ctx context.Context, location, name string) (io.ReadCloser, error) {
	dir, err := d.folder(location)
	if err != nil {
		return nil, err
	}
	return os.Open(filepath.Join(dir, filepath.FromSlash(name)))
}
