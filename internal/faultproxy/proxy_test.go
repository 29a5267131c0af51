package faultproxy_test

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ferry-dev/ferry/internal/faultproxy"
)

// backend is an httptest server that echoes what it received and counts
// the requests that reached it.
type backend struct {
	*httptest.Server
	hits atomic.Int64
}

func newBackend(t *testing.T) *backend {
	b := &backend{}
	b.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.hits.Add(1)
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Seen-Host", r.Host)
		fmt.Fprintf(w, "%s %s %s", r.Method, r.URL.RequestURI(), body)
	}))
	t.Cleanup(b.Close)
	return b
}

func do(t *testing.T, c *http.Client, method, url, body string) (*http.Response, string, error) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, string(b), err
}

func TestForwardsUntouched(t *testing.T) {
	b := newBackend(t)
	p := faultproxy.Start(t, b.URL, faultproxy.Options{})
	resp, body, err := do(t, http.DefaultClient, "PUT", p.URL()+"/bkt/a%2Fb?partNumber=2", "payload")
	if err != nil {
		t.Fatal(err)
	}
	if want := "PUT /bkt/a%2Fb?partNumber=2 payload"; resp.StatusCode != 200 || body != want {
		t.Errorf("got %d %q, want 200 %q", resp.StatusCode, body, want)
	}
	// Signatures cover the Host header, so the server must see the one
	// the client sent.
	if got, want := resp.Header.Get("X-Seen-Host"), strings.TrimPrefix(p.URL(), "http://"); got != want {
		t.Errorf("server saw Host %q, want the proxy's %q", got, want)
	}
	if p.Requests() != 1 || p.Total() != 0 {
		t.Errorf("requests %d, faults %d; want 1, 0", p.Requests(), p.Total())
	}
}

func TestErrorReplies(t *testing.T) {
	tests := []struct {
		code     int
		s3       bool
		wantBody string
		wantType string
	}{
		{500, true, "<Error><Code>InternalError</Code><Message>injected by faultproxy: 500 Internal Server Error</Message><Resource>/bkt/k&amp;1</Resource><RequestId>faultproxy-1</RequestId></Error>", "application/xml"},
		{503, true, "<Error><Code>ServiceUnavailable</Code>", "application/xml"},
		{429, true, "<Error><Code>TooManyRequestsException</Code>", "application/xml"},
		{403, true, "<Error><Code>AccessDenied</Code>", "application/xml"},
		{502, true, "<Error><Code>BadGateway</Code>", "application/xml"},
		{500, false, "faultproxy: injected 500 Internal Server Error\n", "text/plain; charset=utf-8"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d s3=%v", tt.code, tt.s3), func(t *testing.T) {
			b := newBackend(t)
			p := faultproxy.Start(t, b.URL, faultproxy.Options{
				Rate: 1, Faults: []faultproxy.Fault{faultproxy.Status(tt.code)}, S3Errors: tt.s3,
			})
			resp, body, err := do(t, http.DefaultClient, "GET", p.URL()+"/bkt/k&1", "")
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.code || !strings.Contains(body, tt.wantBody) {
				t.Errorf("got %d %q, want %d containing %q", resp.StatusCode, body, tt.code, tt.wantBody)
			}
			if got := resp.Header.Get("Content-Type"); got != tt.wantType {
				t.Errorf("Content-Type %q, want %q", got, tt.wantType)
			}
			if b.hits.Load() != 0 {
				t.Error("an error reply reached the server")
			}
			if got := p.Injected(); len(got) != 1 || got[faultproxy.Status(tt.code)] != 1 {
				t.Errorf("injected %v, want one %d", got, tt.code)
			}
		})
	}
}

func TestReset(t *testing.T) {
	b := newBackend(t)
	p := faultproxy.Start(t, b.URL, faultproxy.Options{Rate: 1, Faults: []faultproxy.Fault{faultproxy.Reset}})
	_, _, err := do(t, http.DefaultClient, "GET", p.URL()+"/x", "")
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("got %v, want connection reset by peer", err)
	}
	if b.hits.Load() != 0 {
		t.Error("a reset request reached the server")
	}
	if p.Count(faultproxy.Reset) < 1 {
		t.Errorf("injected %v", p.Injected())
	}
}

func TestSlowReplyArrivesLate(t *testing.T) {
	b := newBackend(t)
	const delay = 200 * time.Millisecond
	p := faultproxy.Start(t, b.URL, faultproxy.Options{Rate: 1, Faults: []faultproxy.Fault{faultproxy.Slow}, Delay: delay})
	start := time.Now()
	resp, body, err := do(t, http.DefaultClient, "POST", p.URL()+"/x", "hello")
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < delay {
		t.Errorf("reply after %s, want at least %s", took, delay)
	}
	if resp.StatusCode != 200 || body != "POST /x hello" || b.hits.Load() != 1 {
		t.Errorf("got %d %q with %d server hits; want the server's reply", resp.StatusCode, body, b.hits.Load())
	}
}

func TestTimeoutHangsUntilClientGivesUp(t *testing.T) {
	b := newBackend(t)
	p := faultproxy.Start(t, b.URL, faultproxy.Options{Rate: 1, Faults: []faultproxy.Fault{faultproxy.Timeout}})
	c := &http.Client{Timeout: 300 * time.Millisecond}
	start := time.Now()
	_, _, err := do(t, c, "GET", p.URL()+"/x", "")
	var netErr net.Error
	if !errors.As(err, &netErr) || !netErr.Timeout() {
		t.Fatalf("got %v, want a client timeout", err)
	}
	if took := time.Since(start); took < 300*time.Millisecond || took > 5*time.Second {
		t.Errorf("gave up after %s", took)
	}
	if b.hits.Load() != 0 {
		t.Error("a timed-out request reached the server")
	}
}

// TestHeldRequestReleasedAtEnd checks that a request still hanging when
// the test ends does not keep the proxy from stopping.
func TestHeldRequestReleasedAtEnd(t *testing.T) {
	b := newBackend(t)
	errc := make(chan error, 1)
	t.Run("inner", func(t *testing.T) {
		p := faultproxy.Start(t, b.URL, faultproxy.Options{Rate: 1, Faults: []faultproxy.Fault{faultproxy.Timeout}})
		go func() {
			_, err := http.Get(p.URL() + "/x")
			errc <- err
		}()
		for p.Requests() == 0 {
			time.Sleep(5 * time.Millisecond)
		}
	})
	select {
	case err := <-errc:
		if err == nil {
			t.Error("held request got a reply")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("held request still hanging after the proxy stopped")
	}
}

// faulted sends one GET to each of n paths from 8 goroutines and returns
// the paths that did not get the server's reply.
func faulted(t *testing.T, url string, n int, reverse bool) []string {
	paths := make(chan string)
	go func() {
		for i := range n {
			if reverse {
				i = n - 1 - i
			}
			paths <- fmt.Sprintf("/obj/%04d", i)
		}
		close(paths)
	}()
	var mu sync.Mutex
	var out []string
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for path := range paths {
				resp, _, err := do(t, http.DefaultClient, "GET", url+path, "")
				if err != nil || resp.StatusCode != 200 {
					mu.Lock()
					out = append(out, path)
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	slices.Sort(out)
	return out
}

func TestRateIsSeededAndOrderIndependent(t *testing.T) {
	b := newBackend(t)
	// Error replies only: Go's client silently retries a GET whose
	// connection was reset, which would hide the fault from this count.
	opts := faultproxy.Options{Rate: 0.2, Seed: 42, Faults: []faultproxy.Fault{faultproxy.Status(500), faultproxy.Status(503), faultproxy.Status(429)}}
	const n = 500
	p1 := faultproxy.Start(t, b.URL, opts)
	first := faulted(t, p1.URL(), n, false)
	// A second proxy with the same seed, fed in the opposite order, fails
	// the same requests.
	p2 := faultproxy.Start(t, b.URL, opts)
	second := faulted(t, p2.URL(), n, true)
	if !slices.Equal(first, second) {
		t.Errorf("same seed, different faults:\n%v\n%v", first, second)
	}
	// 0.2 of 500 is 100, with a standard deviation of about 9.
	if len(first) < 60 || len(first) > 140 {
		t.Errorf("%d of %d requests failed at rate 0.2", len(first), n)
	}
	if p1.Total() != len(first) {
		t.Errorf("counted %d faults, clients saw %d", p1.Total(), len(first))
	}
	for _, f := range opts.Faults {
		if p1.Count(f) == 0 {
			t.Errorf("fault %s never chosen: %v", f, p1.Injected())
		}
	}
	opts.Seed = 43
	p3 := faultproxy.Start(t, b.URL, opts)
	if third := faulted(t, p3.URL(), n, false); slices.Equal(first, third) {
		t.Error("a different seed failed exactly the same requests")
	}
	// Retrying a failed request draws again: it does not fail for ever.
	resp, _, err := do(t, http.DefaultClient, "GET", p1.URL()+first[0], "")
	for i := 0; i < 20 && (err != nil || resp.StatusCode != 200); i++ {
		resp, _, err = do(t, http.DefaultClient, "GET", p1.URL()+first[0], "")
	}
	if err != nil || resp.StatusCode != 200 {
		t.Errorf("%s failed 21 times in a row at rate 0.2", first[0])
	}
}

func TestFaultsLimitedToMethodsAndPaths(t *testing.T) {
	b := newBackend(t)
	p := faultproxy.Start(t, b.URL, faultproxy.Options{
		Rate: 1, Faults: []faultproxy.Fault{faultproxy.Status(403)}, Methods: []string{"put"}, PathPrefix: "/bkt/",
	})
	for _, tt := range []struct {
		method, path string
		want         int
	}{
		{"PUT", "/bkt/k", 403},
		{"PUT", "/other/k", 200},
		{"GET", "/bkt/k", 200},
		{"HEAD", "/bkt/k", 200},
	} {
		resp, _, err := do(t, http.DefaultClient, tt.method, p.URL()+tt.path, "x")
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != tt.want {
			t.Errorf("%s %s: %d, want %d", tt.method, tt.path, resp.StatusCode, tt.want)
		}
	}
	if got := p.Injected(); len(got) != 1 || got[faultproxy.Status(403)] != 1 {
		t.Errorf("injected %v, want one 403", got)
	}
}
