package remote

import (
	"errors"
	"strings"
	"testing"

	"github.com/ferry-dev/ferry/internal/emulator/oss"
	"github.com/ferry-dev/ferry/internal/testserver"
	"github.com/ferry-dev/ferry/state"
)

// TestSecretsNotInErrors signs with a wrong secret, so every operation
// is refused by the server, and checks that no error carries the secret.
func TestSecretsNotInErrors(t *testing.T) {
	const secret = "wrong-secret-0123456789abcdef"
	srv := testserver.Versitygw(t)
	srv.CreateBucket(t, bucketName)
	s3b, err := NewS3(t.Context(), S3Config{
		Bucket: bucketName, Key: "k.json", Endpoint: srv.Endpoint, PathStyle: true,
		AccessKey: srv.AccessKey, SecretKey: secret,
	})
	if err != nil {
		t.Fatal(err)
	}
	emu := oss.Start(t, oss.Options{AccessKeyID: ossAccessKeyID, AccessKeySecret: ossAccessKeySecret, SecurityToken: "sts-token-abcdef0123"})
	emu.CreateBucket(bucketName)
	ossb, err := NewOSS(t.Context(), OSSConfig{
		Bucket: bucketName, Key: "k.json", Endpoint: emu.Endpoint(),
		AccessKeyID: ossAccessKeyID, AccessKeySecret: secret, SecurityToken: "wrong-sts-token-0123456789",
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range []state.Backend{s3b, ossb} {
		t.Run(b.String(), func(t *testing.T) {
			_, loadErr := b.Load()
			_, lockErr := b.Lock(t.Context(), state.LockInfo{}, 0)
			_, histErr := b.ReadHistory()
			for _, err := range []error{loadErr, b.Save(state.New("0.4.0", "l")), lockErr, b.ForceUnlock("x"), histErr} {
				if err == nil {
					t.Fatal("an operation signed with a wrong secret succeeded")
				}
				for _, s := range []string{secret, "wrong-sts-token-0123456789"} {
					if strings.Contains(err.Error(), s) {
						t.Errorf("error shows a secret: %v", err)
					}
				}
			}
			// The OSS emulator checks the STS token before the signature.
			if msg := loadErr.Error(); !strings.Contains(msg, "SignatureDoesNotMatch") && !strings.Contains(msg, "InvalidSecurityToken") {
				t.Errorf("Load error does not say why: %v", loadErr)
			}
		})
	}
}

func TestScrub(t *testing.T) {
	base := errors.New(`request failed: secret "abcd1234" rejected; token abcd1234`)
	err := scrub(base, "abcd1234", "", "abc")
	if strings.Contains(err.Error(), "abcd1234") || !strings.Contains(err.Error(), "(sensitive)") {
		t.Errorf("scrubbed: %v", err)
	}
	if !errors.Is(err, base) {
		t.Error("scrubbed error does not unwrap to the original")
	}
	if clean := errors.New("no secrets here"); scrub(clean, "abcd1234") != clean {
		t.Error("an error without secrets was rewrapped")
	}
}

func TestConfigErrors(t *testing.T) {
	ctx := t.Context()
	for _, tc := range []struct {
		name string
		err  func() error
		want string
	}{
		{"s3 no bucket", func() error { _, err := NewS3(ctx, S3Config{Key: "k"}); return err }, "bucket name is required"},
		{"s3 folder key", func() error { _, err := NewS3(ctx, S3Config{Bucket: "b", Key: "a/"}); return err }, "must name an object"},
		{"s3 half keys", func() error {
			_, err := NewS3(ctx, S3Config{Bucket: "b", Key: "k", SecretKey: "s3cr3t-value"})
			return err
		}, "given together"},
		{"oss no endpoint", func() error { _, err := NewOSS(ctx, OSSConfig{Bucket: "bkt", Key: "k"}); return err }, "endpoint or a region"},
		{"oss empty key", func() error {
			_, err := NewOSS(ctx, OSSConfig{Bucket: "bkt", Region: "cn-hangzhou"})
			return err
		}, "must name an object"},
		{"oss half keys", func() error {
			_, err := NewOSS(ctx, OSSConfig{Bucket: "bkt", Key: "k", Region: "cn-hangzhou", AccessKeySecret: "s3cr3t-value"})
			return err
		}, "set together"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.err()
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "s3cr3t-value") {
				t.Errorf("error %v, want %q without the secret", err, tc.want)
			}
		})
	}
}
