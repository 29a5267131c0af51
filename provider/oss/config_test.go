package oss_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"syscall"
	"testing"

	sdk "github.com/aliyun/aliyun-oss-go-sdk/oss"

	emulator "github.com/ferry-dev/ferry/internal/emulator/oss"
	"github.com/ferry-dev/ferry/provider"
	"github.com/ferry-dev/ferry/provider/oss"
)

// isolateCredentials empties every source of the default credential
// chain, so a test sees only what it sets.
func isolateCredentials(t *testing.T) {
	t.Helper()
	home := t.TempDir()
	for k, v := range map[string]string{
		"HOME": home, "ALIBABA_CLOUD_ACCESS_KEY_ID": "", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "",
		"ALIBABA_CLOUD_SECURITY_TOKEN": "", "ALIBABA_CLOUD_ECS_METADATA_DISABLED": "true",
		"ALIBABA_CLOUD_CLI_PROFILE_DISABLED": "true", "ALIBABA_CLOUD_CREDENTIALS_FILE": home + "/none",
		"ALIBABA_CLOUD_ROLE_ARN": "", "ALIBABA_CLOUD_OIDC_TOKEN_FILE": "", "ALIBABA_CLOUD_CREDENTIALS_URI": "",
	} {
		t.Setenv(k, v)
	}
}

func TestCredentialSources(t *testing.T) {
	const token = "sts-session-token-abcdef"
	srv := emulator.Start(t, emulator.Options{AccessKeyID: testAK, AccessKeySecret: testSecret, SecurityToken: token, Region: testRegion})
	srv.CreateBucket(testBucket)
	plain := startOSS(t) // accepts the key pair without a token
	put := func(cfg oss.Config) error {
		cfg.Bucket, cfg.Region = testBucket, testRegion
		if cfg.Endpoint == "" {
			cfg.Endpoint = srv.Endpoint()
		}
		b, err := oss.New(context.Background(), cfg)
		if err != nil {
			return err
		}
		_, err = b.Put(context.Background(), "k", strings.NewReader("x"), 1)
		return err
	}

	t.Run("explicit-sts", func(t *testing.T) {
		isolateCredentials(t)
		if err := put(oss.Config{AccessKeyID: testAK, AccessKeySecret: testSecret, SecurityToken: token}); err != nil {
			t.Errorf("explicit STS credentials: %v", err)
		}
		err := put(oss.Config{AccessKeyID: testAK, AccessKeySecret: testSecret})
		var se sdk.ServiceError
		if !errors.As(err, &se) || se.StatusCode != 403 {
			t.Errorf("without the STS token: %v", err)
		}
	})
	t.Run("environment", func(t *testing.T) {
		isolateCredentials(t)
		t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", testAK)
		t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", testSecret)
		t.Setenv("ALIBABA_CLOUD_SECURITY_TOKEN", token)
		if err := put(oss.Config{}); err != nil {
			t.Errorf("credentials from the environment: %v", err)
		}
	})
	t.Run("profile-file", func(t *testing.T) {
		isolateCredentials(t)
		file := t.TempDir() + "/credentials"
		ini := fmt.Sprintf("[default]\ntype = access_key\naccess_key_id = %s\naccess_key_secret = %s\n", testAK, testSecret)
		if err := os.WriteFile(file, []byte(ini), 0o600); err != nil {
			t.Fatal(err)
		}
		t.Setenv("ALIBABA_CLOUD_CREDENTIALS_FILE", file)
		if err := put(oss.Config{Endpoint: plain.Endpoint()}); err != nil {
			t.Errorf("credentials from the profile file: %v", err)
		}
	})
	t.Run("none", func(t *testing.T) {
		isolateCredentials(t)
		err := put(oss.Config{})
		if err == nil {
			t.Fatal("New succeeded with no credentials anywhere")
		}
	})
	t.Run("half-a-key", func(t *testing.T) {
		isolateCredentials(t)
		err := put(oss.Config{AccessKeyID: testAK})
		if err == nil || !strings.Contains(err.Error(), "set together") {
			t.Errorf("only an access key ID: %v", err)
		}
	})
	t.Run("bad-role-arn", func(t *testing.T) {
		isolateCredentials(t)
		err := put(oss.Config{AccessKeyID: testAK, AccessKeySecret: testSecret, RoleArn: "arn:aws:iam::1:role/x"})
		if err == nil || strings.Contains(err.Error(), testSecret) {
			t.Errorf("malformed role ARN: %v", err)
		}
	})
}

func TestVirtualHostAddressing(t *testing.T) {
	srv := startOSS(t)
	_, port, _ := net.SplitHostPort(srv.Addr())
	addr := srv.Addr()
	tr := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}
	t.Cleanup(tr.CloseIdleConnections)
	for _, region := range []string{"", testRegion} {
		b := newBucket(t, srv, func(c *oss.Config) {
			c.Endpoint = "http://oss-" + testRegion + ".aliyuncs.com:" + port
			c.HTTPClient = &http.Client{Transport: tr}
			c.Region = region
		})
		ctx := context.Background()
		if _, err := b.Put(ctx, "vh/a b+c", strings.NewReader("virtual"), 7); err != nil {
			t.Fatalf("region %q: put: %v", region, err)
		}
		objs, err := b.List(ctx, "vh/")
		if err != nil || len(objs) != 1 || objs[0].Key != "vh/a b+c" {
			t.Errorf("region %q: list = %v, %v", region, objs, err)
		}
		if got, _ := srv.Object(testBucket, "vh/a b+c"); string(got) != "virtual" {
			t.Errorf("region %q: stored %q", region, got)
		}
	}
}

func TestIsRetryable(t *testing.T) {
	reset := &url.Error{Op: "Put", URL: "http://x", Err: &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}}
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"503", sdk.ServiceError{StatusCode: 503, Code: "ServiceUnavailable"}, true},
		{"500", fmt.Errorf("put: %w", sdk.ServiceError{StatusCode: 500, Code: "InternalError"}), true},
		{"429", sdk.ServiceError{StatusCode: 429}, true},
		{"skewed clock", sdk.ServiceError{StatusCode: 403, Code: "RequestTimeTooSkewed"}, true},
		{"bad signature", sdk.ServiceError{StatusCode: 403, Code: "SignatureDoesNotMatch"}, false},
		{"no such bucket", sdk.ServiceError{StatusCode: 404, Code: "NoSuchBucket"}, false},
		{"not found", fmt.Errorf("open: %w", provider.ErrNotFound), false},
		{"crc", sdk.CRCCheckError{}, true},
		{"checksum mismatch", fmt.Errorf("put: %w", oss.ErrChecksumMismatch), true},
		{"connection reset", reset, true},
		{"truncated reply", fmt.Errorf("get: %w", io.ErrUnexpectedEOF), true},
		{"cancelled", fmt.Errorf("put: %w", context.Canceled), false},
		{"plain", errors.New("temporarily unavailable 503"), false},
	} {
		if got := oss.IsRetryable(tc.err); got != tc.want {
			t.Errorf("%s: IsRetryable = %v, want %v", tc.name, got, tc.want)
		}
	}
}
