package redshift

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	emulator "github.com/ferry-dev/ferry/internal/emulator/redshift"
)

// fakeAWS serves redshift GetClusterCredentials (query protocol, XML)
// and redshift-serverless GetCredentials (JSON 1.1). Each call issues a
// new password, valid for ttl, and makes the front accept only it.
type fakeAWS struct {
	t     *testing.T
	front *emulator.Front
	mu    sync.Mutex
	ttl   time.Duration
	calls []string
	// issued lists every password handed out.
	issued []string
}

func newFakeAWS(t *testing.T, front *emulator.Front) (*fakeAWS, string) {
	f := &fakeAWS{t: t, front: front, ttl: time.Hour}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv.URL
}

func (f *fakeAWS) issue(user string) (string, time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	pw := fmt.Sprintf("TmpPw%d-%d-Zq9", len(f.issued)+1, time.Now().UnixNano())
	f.issued = append(f.issued, pw)
	f.front.SetLogin(user, emulator.Login{Password: pw})
	return pw, time.Now().Add(f.ttl)
}

func (f *fakeAWS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	auth := r.Header.Get("Authorization")
	if r.Method != http.MethodPost || !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential="+testAccessKey+"/") {
		http.Error(w, `{"__type":"IncompleteSignatureException","message":"unsigned"}`, http.StatusForbidden)
		return
	}
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		if target != "RedshiftServerless.GetCredentials" || !strings.Contains(auth, "/redshift-serverless/aws4_request") {
			http.Error(w, `{"__type":"UnknownOperationException","message":"`+target+`"}`, http.StatusBadRequest)
			return
		}
		var in struct {
			WorkgroupName   string `json:"workgroupName"`
			DbName          string `json:"dbName"`
			DurationSeconds int    `json:"durationSeconds"`
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.WorkgroupName != "wg1" || in.DurationSeconds < 900 {
			w.Header().Set("X-Amzn-ErrorType", "ValidationException")
			http.Error(w, `{"__type":"ValidationException","message":"bad input"}`, http.StatusBadRequest)
			return
		}
		f.record("GetCredentials " + in.WorkgroupName + " " + in.DbName)
		pw, exp := f.issue("IAMR:admin")
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		json.NewEncoder(w).Encode(map[string]any{"dbUser": "IAMR:admin", "dbPassword": pw,
			"expiration": float64(exp.Unix()), "nextRefreshTime": float64(exp.Unix())})
		return
	}
	if err := r.ParseForm(); err != nil || r.PostForm.Get("Action") != "GetClusterCredentials" ||
		!strings.Contains(auth, "/redshift/aws4_request") || r.PostForm.Get("ClusterIdentifier") != "c1" {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidParameterValue</Code><Message>bad request</Message></Error></ErrorResponse>`)
		return
	}
	user := "IAM:" + r.PostForm.Get("DbUser")
	f.record("GetClusterCredentials " + r.PostForm.Get("DbUser") + " " + r.PostForm.Get("DurationSeconds"))
	pw, exp := f.issue(user)
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprintf(w, `<GetClusterCredentialsResponse xmlns="http://redshift.amazonaws.com/doc/2012-12-01/">
  <GetClusterCredentialsResult>
    <DbUser>%s</DbUser>
    <Expiration>%s</Expiration>
    <DbPassword>%s</DbPassword>
  </GetClusterCredentialsResult>
  <ResponseMetadata><RequestId>0f1e2d3c-0000-4000-8000-000000000001</RequestId></ResponseMetadata>
</GetClusterCredentialsResponse>`, user, exp.UTC().Format("2006-01-02T15:04:05.000Z"), pw)
}

func (f *fakeAWS) record(call string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, call)
}

func (f *fakeAWS) snapshot() (calls, issued []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...), append([]string(nil), f.issued...)
}

func TestIAMCredentials(t *testing.T) {
	awsEnv(t)
	e := newEnv(t, emulator.Faults{})
	ctx := context.Background()
	for _, tc := range []struct {
		name      string
		cfg       func(*Config)
		wantCall  string
		wantUser  string
		wantCalls int
	}{
		{"provisioned", func(c *Config) { c.ClusterIdentifier, c.DBUser = "c1", "awsuser" },
			"GetClusterCredentials awsuser 900", "IAM:awsuser", 1},
		{"serverless", func(c *Config) { c.WorkgroupName = "wg1" }, "GetCredentials wg1 " + e.cfg.Database, "IAMR:admin", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			aws, url := newFakeAWS(t, e.front)
			cfg := e.cfg
			cfg.User, cfg.Password = "", ""
			cfg.IAM, cfg.Region, cfg.AWSEndpoint = true, "us-east-1", url
			tc.cfg(&cfg)
			s, err := New(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			res, err := s.Query(ctx, "SELECT current_user::text AS u, count(*) AS n FROM lineitem GROUP BY 1")
			if err != nil {
				t.Fatal(err)
			}
			if got := *res.Rows[0][1]; got != "20000" {
				t.Errorf("count %s", got)
			}
			calls, issued := aws.snapshot()
			if len(calls) != tc.wantCalls || calls[0] != tc.wantCall {
				t.Errorf("AWS calls %q, want one %q", calls, tc.wantCall)
			}
			if u, _, _ := s.iam.get(ctx); u != tc.wantUser {
				t.Errorf("database user %q, want %q", u, tc.wantUser)
			}

			// Credentials about to expire are replaced before the next
			// connection; the old password no longer logs in.
			s.iam.mu.Lock()
			s.iam.expires = time.Now().Add(30 * time.Second)
			s.iam.mu.Unlock()
			s.Close()
			s.mu.Lock()
			s.closed = false
			s.mu.Unlock()
			if _, err := s.Query(ctx, "SELECT 1"); err != nil {
				t.Fatalf("after refresh: %v", err)
			}
			calls, issued2 := aws.snapshot()
			if len(calls) != 2 || len(issued2) != 2 || issued2[1] == issued[0] {
				t.Errorf("after expiry: calls %q; want a second, different password", calls)
			}
			old := cfg
			old.IAM, old.User, old.Password = false, tc.wantUser, issued[0]
			if _, err := New(ctx, old); err == nil || !strings.Contains(err.Error(), "28P01") {
				t.Errorf("the expired password still logs in: %v", err)
			} else if strings.Contains(err.Error(), issued[0]) {
				t.Errorf("error shows the password: %v", err)
			}
		})
	}
}

func TestIAMDenied(t *testing.T) {
	awsEnv(t)
	e := newEnv(t, emulator.Faults{})
	_, url := newFakeAWS(t, e.front)
	cfg := e.cfg
	cfg.IAM, cfg.Region, cfg.AWSEndpoint, cfg.ClusterIdentifier = true, "us-east-1", url, "no-such-cluster"
	_, err := New(context.Background(), cfg)
	if err == nil || !strings.Contains(err.Error(), "InvalidParameterValue") || !strings.Contains(err.Error(), "no-such-cluster") {
		t.Errorf("err = %v, want the service's InvalidParameterValue naming the cluster", err)
	}
}
