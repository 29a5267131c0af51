package remote

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/aliyun/credentials-go/credentials/providers"

	"github.com/ferry-dev/ferry/state"
)

// OSSConfig says where the state object lives in Alibaba Cloud OSS and
// how to reach it. Bucket, Key and one of Endpoint or Region are
// required.
type OSSConfig struct {
	// Bucket is the bucket name.
	Bucket string
	// Key is the state object's key ("ferry/prod.state.json"); the lock,
	// backup and history objects are named after it.
	Key string
	// Endpoint is the OSS endpoint ("oss-ap-southeast-1.aliyuncs.com";
	// https unless a scheme is given). Empty: the public endpoint of
	// Region.
	Endpoint string
	// Region ("ap-southeast-1"), when set, makes requests signed with V4
	// scoped to it; without it requests use the V1 signature.
	Region string
	// AccessKeyID and AccessKeySecret, with SecurityToken for STS
	// credentials, authenticate directly. When they are empty the Alibaba
	// Cloud default credential chain is used (ALIBABA_CLOUD_ACCESS_KEY_ID
	// and the other environment variables, profile files, ECS RAM role).
	AccessKeyID     string
	AccessKeySecret string
	SecurityToken   string
}

// OSSBackend keeps the state as an object in OSS and implements
// state.Backend: Load, Save, Lock, ForceUnlock, DumpErrored, OpenHistory,
// ReadHistory and String, as documented on the package and on those
// methods. Creating the state or the lock is atomic
// (x-oss-forbid-overwrite); overwriting the state is checked against the
// ETag last seen just before the write, which the state lock makes
// sufficient. It is safe for concurrent use.
type OSSBackend struct {
	*objectBackend
}

var _ state.Backend = (*OSSBackend)(nil)

// NewOSS returns the backend cfg describes. It resolves credentials once,
// so that missing ones are reported here, but makes no request to OSS.
func NewOSS(ctx context.Context, cfg OSSConfig) (*OSSBackend, error) {
	if cfg.Bucket == "" {
		return nil, errors.New("oss state: bucket name is required")
	}
	if err := oss.CheckBucketName(cfg.Bucket); err != nil {
		return nil, fmt.Errorf("oss state: %w", err)
	}
	if cfg.Key == "" || strings.HasSuffix(cfg.Key, "/") {
		return nil, fmt.Errorf("oss state: key %q must name an object, not a folder", cfg.Key)
	}
	endpoint := cfg.Endpoint
	if endpoint == "" {
		if cfg.Region == "" {
			return nil, errors.New("oss state: an endpoint or a region is required")
		}
		endpoint = "oss-" + cfg.Region + ".aliyuncs.com"
	}
	if !strings.Contains(endpoint, "://") {
		endpoint = "https://" + endpoint
	}
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("oss state: endpoint %q is not a host name or URL", cfg.Endpoint)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	creds, err := ossCredentials(cfg)
	if err != nil {
		return nil, scrub(fmt.Errorf("oss state: %w", err), cfg.AccessKeySecret, cfg.SecurityToken)
	}
	opts := []oss.ClientOption{oss.SetCredentialsProvider(creds), oss.UserAgent("ferry")}
	if cfg.Region != "" {
		opts = append(opts, oss.AuthVersion(oss.AuthV4), oss.Region(cfg.Region))
	}
	client, err := oss.New(u.Scheme+"://"+u.Host, "", "", opts...)
	if err != nil {
		return nil, scrub(fmt.Errorf("oss state: %w", err), creds.secret, creds.token)
	}
	bucket, err := client.Bucket(cfg.Bucket)
	if err != nil {
		return nil, scrub(fmt.Errorf("oss state: %w", err), creds.secret, creds.token)
	}
	st := &ossStore{bucket: bucket, name: cfg.Bucket, secrets: []string{creds.secret, creds.token}}
	return &OSSBackend{newObjectBackend(st, cfg.Key)}, nil
}

// ossCreds is a fixed key pair with an optional STS token, in the form
// the OSS SDK reads; it serves as both oss.Credentials and
// oss.CredentialsProvider.
type ossCreds struct {
	id, secret, token string
}

// GetAccessKeyID implements oss.Credentials.
func (c ossCreds) GetAccessKeyID() string { return c.id }

// GetAccessKeySecret implements oss.Credentials.
func (c ossCreds) GetAccessKeySecret() string { return c.secret }

// GetSecurityToken implements oss.Credentials.
func (c ossCreds) GetSecurityToken() string { return c.token }

// GetCredentials implements oss.CredentialsProvider.
func (c ossCreds) GetCredentials() oss.Credentials { return c }

// ossCredentials returns the configured key pair, or the one the default
// chain finds. Credentials from the chain are resolved once: a state
// operation is short, and a lock is not held across a token's lifetime by
// this backend.
func ossCredentials(cfg OSSConfig) (ossCreds, error) {
	switch {
	case cfg.AccessKeyID != "" && cfg.AccessKeySecret != "":
		return ossCreds{id: cfg.AccessKeyID, secret: cfg.AccessKeySecret, token: cfg.SecurityToken}, nil
	case cfg.AccessKeyID != "" || cfg.AccessKeySecret != "":
		return ossCreds{}, errors.New("access key ID and access key secret must be set together")
	}
	p := providers.NewDefaultCredentialsProvider()
	c, err := p.GetCredentials()
	if err != nil {
		return ossCreds{}, fmt.Errorf("alibaba cloud credentials: %w", err)
	}
	return ossCreds{id: c.AccessKeyId, secret: c.AccessKeySecret, token: c.SecurityToken}, nil
}

// ossStore is objectStore over the OSS SDK.
type ossStore struct {
	bucket  *oss.Bucket
	name    string
	secrets []string
}

func (s *ossStore) url(key string) string { return "oss://" + s.name + "/" + key }

// fail wraps a failed request with the object's URL, classifies it and
// scrubs credentials from its text.
func (s *ossStore) fail(op, key string, err error) error {
	switch {
	case isOSSNotFound(err):
		err = fmt.Errorf("%s %s: %w: %w", op, s.url(key), errNotFound, err)
	case isOSSCode(err, "FileAlreadyExists"):
		err = fmt.Errorf("%s %s: %w: %w", op, s.url(key), errPrecondition, err)
	default:
		err = fmt.Errorf("%s %s: %w", op, s.url(key), err)
	}
	return scrub(err, s.secrets...)
}

func (s *ossStore) get(ctx context.Context, key string) ([]byte, string, error) {
	var h http.Header
	body, err := s.bucket.GetObject(key, oss.WithContext(ctx), oss.GetResponseHeader(&h))
	if err != nil {
		return nil, "", s.fail("get", key, err)
	}
	defer body.Close()
	data, err := io.ReadAll(body)
	if err != nil {
		return nil, "", s.fail("get", key, err)
	}
	return data, h.Get("ETag"), nil
}

// head returns the current ETag of key.
func (s *ossStore) head(ctx context.Context, key string) (string, error) {
	h, err := s.bucket.GetObjectMeta(key, oss.WithContext(ctx))
	if err != nil {
		return "", s.fail("head", key, err)
	}
	return h.Get("ETag"), nil
}

// check compares the current version of key with etag: errPrecondition
// when it differs or the key is gone.
func (s *ossStore) check(ctx context.Context, key, etag string) error {
	cur, err := s.head(ctx, key)
	if errors.Is(err, errNotFound) {
		return fmt.Errorf("put %s: %w: it was deleted", s.url(key), errPrecondition)
	}
	if err != nil {
		return err
	}
	if !sameETag(cur, etag) {
		return fmt.Errorf("put %s: %w: ETag is %s, expected %s", s.url(key), errPrecondition, cur, etag)
	}
	return nil
}

// put writes key. Creating (cond.absent) is atomic through
// x-oss-forbid-overwrite; overwriting a version (cond.etag) compares the
// current ETag first and then writes, since OSS has no If-Match on
// PutObject: a write landing between the two is not detected.
func (s *ossStore) put(ctx context.Context, key string, data []byte, cond condition) (string, error) {
	opts := []oss.Option{oss.WithContext(ctx), oss.ContentType("application/json")}
	switch {
	case cond.absent:
		opts = append(opts, oss.ForbidOverWrite(true))
	case cond.etag != "":
		if err := s.check(ctx, key, cond.etag); err != nil {
			return "", err
		}
	}
	var h http.Header
	opts = append(opts, oss.GetResponseHeader(&h))
	if err := s.bucket.PutObject(key, bytes.NewReader(data), opts...); err != nil {
		return "", s.fail("put", key, err)
	}
	return h.Get("ETag"), nil
}

// remove deletes key, after comparing its version with etag when one is
// given (OSS has no conditional delete).
func (s *ossStore) remove(ctx context.Context, key, etag string) error {
	if etag != "" {
		if err := s.check(ctx, key, etag); err != nil {
			if errors.Is(err, errPrecondition) {
				if _, herr := s.head(ctx, key); errors.Is(herr, errNotFound) {
					return nil
				}
			}
			return err
		}
	}
	if err := s.bucket.DeleteObject(key, oss.WithContext(ctx)); err != nil && !isOSSNotFound(err) {
		return s.fail("delete", key, err)
	}
	return nil
}

// isOSSNotFound tells whether OSS said the object does not exist; HEAD
// replies may carry no code, only the status.
func isOSSNotFound(err error) bool {
	var se oss.ServiceError
	return errors.As(err, &se) && (se.Code == "NoSuchKey" || (se.StatusCode == http.StatusNotFound && se.Code == ""))
}

// isOSSCode tells whether err is an OSS service error with that code.
func isOSSCode(err error, code string) bool {
	var se oss.ServiceError
	return errors.As(err, &se) && se.Code == code
}
