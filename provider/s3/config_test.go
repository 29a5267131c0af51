package s3

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferry-dev/ferry/internal/testserver"
)

// isolateAWSEnv points the SDK's configuration sources at empty files and
// clears the variables a developer's machine may set, so that a test sees
// only the credentials it provides.
func isolateAWSEnv(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{
		"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
		"AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3",
		"AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
	} {
		t.Setenv(name, "")
	}
	t.Setenv("AWS_CONFIG_FILE", empty)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", empty)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

// putAndList proves b can write and read with whatever credentials it found.
func putAndList(t *testing.T, b *Bucket) {
	t.Helper()
	ctx := context.Background()
	if _, err := b.Put(ctx, "probe", strings.NewReader("ok"), 2); err != nil {
		t.Fatal(err)
	}
	if got := listing(t, b, ""); len(got) != 1 || got[0] != "probe:2" {
		t.Errorf("List = %v, want [probe:2]", got)
	}
}

func TestNewCredentialsFromSharedProfile(t *testing.T) {
	isolateAWSEnv(t)
	srv := testserver.Versitygw(t)
	srv.CreateBucket(t, testBucket)
	dir := t.TempDir()
	creds := filepath.Join(dir, "credentials")
	cfgFile := filepath.Join(dir, "config")
	if err := os.WriteFile(creds, []byte("[default]\naws_access_key_id = wrong\naws_secret_access_key = wrong\n\n"+
		"[staging]\naws_access_key_id = "+srv.AccessKey+"\naws_secret_access_key = "+srv.SecretKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// The region comes from the profile too.
	if err := os.WriteFile(cfgFile, []byte("[profile staging]\nregion = "+srv.Region+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", creds)
	t.Setenv("AWS_CONFIG_FILE", cfgFile)

	b, err := New(context.Background(), Config{Bucket: testBucket, Endpoint: srv.Endpoint, PathStyle: true, Profile: "staging"})
	if err != nil {
		t.Fatal(err)
	}
	putAndList(t, b)

	// Without Profile the default profile's (wrong) keys are used.
	d, err := New(context.Background(), Config{Bucket: testBucket, Endpoint: srv.Endpoint, PathStyle: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.List(context.Background(), ""); err == nil || IsRetryable(err) {
		t.Errorf("List with the default profile's keys: %v, want a permanent error", err)
	}
}

func TestNewCredentialsFromEnvironment(t *testing.T) {
	isolateAWSEnv(t)
	srv := testserver.Versitygw(t)
	srv.CreateBucket(t, testBucket)
	t.Setenv("AWS_ACCESS_KEY_ID", srv.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", srv.SecretKey)
	b, err := New(context.Background(), Config{Bucket: testBucket, Endpoint: srv.Endpoint, PathStyle: true})
	if err != nil {
		t.Fatal(err)
	}
	putAndList(t, b)
}

func TestNewRejectsIncompleteConfig(t *testing.T) {
	isolateAWSEnv(t)
	ctx := context.Background()
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"no bucket", Config{Region: "us-east-1"}, "bucket name is required"},
		{"key without secret", Config{Bucket: "b", Region: "us-east-1", AccessKey: "AKIA"}, "given together"},
		{"secret without key", Config{Bucket: "b", Region: "us-east-1", SecretKey: "s"}, "given together"},
		{"no region on AWS", Config{Bucket: "b"}, "no region"},
		{"unknown profile", Config{Bucket: "b", Region: "us-east-1", Profile: "nope"}, "nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(ctx, tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New: %v, want an error mentioning %q", err, tt.want)
			}
		})
	}
	// An endpoint override defaults the region, as S3-compatible stores
	// expect.
	if _, err := New(ctx, Config{Bucket: "b", Endpoint: "http://127.0.0.1:1"}); err != nil {
		t.Errorf("New with an endpoint and no region: %v", err)
	}
}

func TestBucketURLAndPrefix(t *testing.T) {
	isolateAWSEnv(t)
	tests := []struct {
		prefix, key, wantPrefix, wantURL string
	}{
		{"", "t1/data/", "", "s3://my-unload/t1/data/"},
		{"unload_from_redshift", "t1/manifest", "unload_from_redshift/", "s3://my-unload/unload_from_redshift/t1/manifest"},
		{"/a/b/", "k", "a/b/", "s3://my-unload/a/b/k"},
		{"/", "k", "", "s3://my-unload/k"},
	}
	for _, tt := range tests {
		b, err := New(context.Background(), Config{Bucket: "my-unload", Prefix: tt.prefix, Region: "ap-southeast-1"})
		if err != nil {
			t.Fatal(err)
		}
		if b.Prefix() != tt.wantPrefix || b.URL(tt.key) != tt.wantURL || b.Name() != "my-unload" {
			t.Errorf("prefix %q: Prefix() = %q, URL(%q) = %q; want %q, %q",
				tt.prefix, b.Prefix(), tt.key, b.URL(tt.key), tt.wantPrefix, tt.wantURL)
		}
	}
}
