package mgw

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	ossemu "github.com/ferry-dev/ferry/internal/emulator/oss"
	"github.com/ferry-dev/ferry/provider"
	"github.com/ferry-dev/ferry/provider/local"
)

// validConfig is a configuration New accepts.
func validConfig() Config {
	return Config{
		UserID: "1147000087600055", Region: "cn-beijing",
		AccessKeyID: "LTAI5tKey", AccessKeySecret: "secret-0123456789",
		SourceAddress: S3Address{AccessKeyID: "AKIAKEY", AccessKeySecret: "aws-secret-0123456789", Region: "us-west-2"},
		DestAddress:   OSSAddress{RegionID: "oss-cn-beijing", Role: "ferry-writer"},
	}
}

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Config)
		want string // "" for valid
	}{
		{"valid", func(*Config) {}, ""},
		{"region from endpoint", func(c *Config) { c.Region, c.Endpoint = "", "cn-shanghai.mgw.aliyuncs.com" }, ""},
		{"no uid", func(c *Config) { c.UserID = "" }, "user_id"},
		{"no region", func(c *Config) { c.Region = "" }, "region is required"},
		{"half a key", func(c *Config) { c.AccessKeySecret = "" }, "access_key_secret"},
		{"no aws key", func(c *Config) { c.SourceAddress.AccessKeySecret = "" }, "AWS access key"},
		{"no s3 endpoint", func(c *Config) { c.SourceAddress.Region = "" }, "domain or a region"},
		{"oss region form", func(c *Config) { c.DestAddress.RegionID = "cn-beijing" }, "oss-<region>"},
		{"no role", func(c *Config) { c.DestAddress.Role = "" }, "RAM role"},
		{"bad prefix", func(c *Config) { c.JobPrefix = "Ferry" }, "job_prefix"},
		{"bad modes", func(c *Config) { c.OverwriteMode, c.TransferMode = "never", "lastmodified" }, "always/all"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := validConfig()
			tc.edit(&cfg)
			_, err := New(cfg)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("New: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("New: %v, want an error saying %q", err, tc.want)
			}
			for _, secret := range cfg.secrets() {
				if err != nil && secret != "" && strings.Contains(err.Error(), secret) {
					t.Errorf("error shows a secret: %v", err)
				}
			}
		})
	}
}

func TestServiceTarget(t *testing.T) {
	for _, tc := range []struct {
		endpoint, wantURL, wantHost string
	}{
		{"", "https://1147000087600055.cn-beijing.mgw.aliyuncs.com", "1147000087600055.cn-beijing.mgw.aliyuncs.com"},
		{"cn-beijing.mgw.aliyuncs.com", "https://1147000087600055.cn-beijing.mgw.aliyuncs.com", "1147000087600055.cn-beijing.mgw.aliyuncs.com"},
		{"http://127.0.0.1:9000/", "http://127.0.0.1:9000", "1147000087600055.cn-beijing.mgw.aliyuncs.com"},
	} {
		cfg := validConfig()
		cfg.Endpoint = tc.endpoint
		u, host, err := cfg.serviceTarget()
		if err != nil || u.String() != tc.wantURL || host != tc.wantHost {
			t.Errorf("endpoint %q: %v %q %v, want %q %q", tc.endpoint, u, host, err, tc.wantURL, tc.wantHost)
		}
	}
}

func TestConfigStringHidesSecrets(t *testing.T) {
	cfg := validConfig()
	cfg.SecurityToken = "sts-token-0123456789"
	s := cfg.String()
	for _, secret := range cfg.secrets() {
		if strings.Contains(s, secret) {
			t.Errorf("String() shows %q: %s", secret, s)
		}
	}
	if !strings.Contains(s, "(sensitive)") || !strings.Contains(s, cfg.AccessKeyID) {
		t.Errorf("String() = %s", s)
	}
}

func TestCopyRefusesOtherStores(t *testing.T) {
	c, err := New(validConfig())
	if err != nil {
		t.Fatal(err)
	}
	dir, err := local.NewBucket(t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Copy(context.Background(), provider.CopyRequest{Src: dir, SrcPrefix: "a/", Dst: dir, DstPrefix: "b/"})
	if err == nil || !strings.Contains(err.Error(), "not an S3 bucket") {
		t.Fatalf("copy from a local directory: %v", err)
	}
}

func TestNamesAreDeterministic(t *testing.T) {
	c, err := New(validConfig())
	if err != nil {
		t.Fatal(err)
	}
	a, b := c.name("job", "x", "y"), c.name("job", "x", "y")
	if a != b || a == c.name("job", "x", "z") || len(a) > 63 || !jobPrefixPattern.MatchString(a) {
		t.Errorf("names %q, %q", a, b)
	}
}

// TestSignerAgainstOSS checks the signer against the OSS emulator's V4
// verification, which is itself checked against the OSS SDKs: on a
// path-style OSS request the canonical URI is the path, as it is for the
// migration service.
func TestSignerAgainstOSS(t *testing.T) {
	const (
		key    = "LTAI5tSignerTestKey"
		secret = "signer-test-secret-0123456789"
		token  = "signer-sts-token-0123456789"
	)
	srv := ossemu.Start(t, ossemu.Options{AccessKeyID: key, AccessKeySecret: secret, SecurityToken: token, Region: "cn-hangzhou"})
	srv.CreateBucket("bkt")
	for _, tc := range []struct {
		name   string
		secret string
		status int
	}{
		{"right secret", secret, http.StatusOK},
		{"wrong secret", "not-" + secret, http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &signer{keyID: key, secret: tc.secret, token: token, region: "cn-hangzhou", now: time.Now}
			body := []byte("<x>a body with an MD5</x>")
			req, err := http.NewRequest(http.MethodPut, srv.Endpoint()+"/bkt/dir/a%20b+c%25.txt", bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/xml")
			s.sign(req, body)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			reply, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, reply)
			}
			if tc.status == http.StatusOK {
				if got, _ := srv.Object("bkt", "dir/a b+c%.txt"); !bytes.Equal(got, body) {
					t.Errorf("stored %q, want %q", got, body)
				}
			}
		})
	}
}

func TestCanonicalRequest(t *testing.T) {
	r, err := http.NewRequest(http.MethodGet, "http://h/job/j1?runtimeId=2&jobResult", nil)
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("X-Oss-Date", "20250101T000000Z")
	r.Header.Set("X-Oss-Content-Sha256", unsignedPayload)
	r.Header.Set("User-Agent", "ferry")
	want := strings.Join([]string{
		"GET",
		"/job/j1",
		"jobResult&runtimeId=2",
		"x-oss-content-sha256:UNSIGNED-PAYLOAD",
		"x-oss-date:20250101T000000Z",
		"",
		"",
		"UNSIGNED-PAYLOAD",
	}, "\n")
	if got := canonicalRequest(r); got != want {
		t.Errorf("canonical request:\n%s\nwant:\n%s", got, want)
	}
	if got := canonicalQuery(url.Values{"a b": {"c+d"}, "verify": {""}}); got != "a%20b=c%2Bd&verify" {
		t.Errorf("canonical query %q", got)
	}
}

func TestEncodeQueryWritesBareKeys(t *testing.T) {
	got := encodeQuery(url.Values{"verify": {""}})
	if got != "verify" {
		t.Errorf("encodeQuery = %q, want a bare key", got)
	}
}
