package remote

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	s3p "github.com/ferry-dev/ferry/provider/s3"
	"io"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/ferry-dev/ferry/state"
)

// defaultCompatibleRegion is signed for when an S3-compatible endpoint is
// given without a region; such servers accept it by convention.
const defaultCompatibleRegion = "us-east-1"

// S3Config says where the state object lives in S3 and how to reach it.
// Bucket and Key are required.
type S3Config struct {
	// Bucket is the bucket name.
	Bucket string
	// Key is the state object's key ("ferry/prod.state.json"); the lock,
	// backup and history objects are named after it.
	Key string
	// Region is the bucket's region. Empty takes it from the AWS
	// configuration (AWS_REGION, the profile), or "us-east-1" when
	// Endpoint is set.
	Region string
	// Endpoint overrides the S3 endpoint, for S3-compatible stores ("http://127.0.0.1:7070").
	// A bare host name means https.
	Endpoint string
	// PathStyle addresses buckets as endpoint/bucket/key, which most
	// S3-compatible stores need.
	PathStyle bool
	// AccessKey and SecretKey are used when given; otherwise the AWS
	// default chain finds credentials (environment, shared files, SSO,
	// container and instance roles).
	AccessKey string
	SecretKey string
	// Profile selects a profile of the shared AWS config files.
	Profile string
}

// S3Backend keeps the state as an object in S3 and implements
// state.Backend: Load, Save, Lock, ForceUnlock, DumpErrored, OpenHistory,
// ReadHistory and String, as documented on the package and on those
// methods. Saves are conditional writes (If-Match / If-None-Match: *), so
// two writers that read the same version cannot both succeed. It is safe
// for concurrent use.
type S3Backend struct {
	*objectBackend
}

var _ state.Backend = (*S3Backend)(nil)

// NewS3 returns the backend cfg describes. It resolves configuration and
// credentials but makes no request: a wrong bucket or a missing
// permission shows up at the first Load, Save or Lock.
func NewS3(ctx context.Context, cfg S3Config) (*S3Backend, error) {
	if cfg.Bucket == "" {
		return nil, errors.New("s3 state: bucket name is required")
	}
	if cfg.Key == "" || strings.HasSuffix(cfg.Key, "/") {
		return nil, fmt.Errorf("s3 state: key %q must name an object, not a folder", cfg.Key)
	}
	if (cfg.AccessKey == "") != (cfg.SecretKey == "") {
		return nil, fmt.Errorf("s3 state %s: access key and secret key must be given together", cfg.Bucket)
	}
	client, err := s3p.NewClient(ctx, s3p.Config{
		Bucket: cfg.Bucket, Region: cfg.Region, Endpoint: cfg.Endpoint, PathStyle: cfg.PathStyle,
		AccessKey: cfg.AccessKey, SecretKey: cfg.SecretKey, Profile: cfg.Profile,
	})
	if err != nil {
		return nil, scrub(fmt.Errorf("s3 state: %w", err), cfg.SecretKey)
	}
	st := &s3Store{client: client, bucket: cfg.Bucket, secret: cfg.SecretKey}
	return &S3Backend{newObjectBackend(st, cfg.Key)}, nil
}

// s3Store is objectStore over the AWS SDK.
type s3Store struct {
	client *s3.Client
	bucket string
	secret string
}

func (s *s3Store) url(key string) string { return "s3://" + s.bucket + "/" + key }

// fail wraps a failed request with the object's URL, classifies it and
// scrubs the secret key from its text.
func (s *s3Store) fail(op, key string, err error) error {
	switch {
	case isS3NotFound(err):
		err = fmt.Errorf("%s %s: %w: %w", op, s.url(key), errNotFound, err)
	case isS3Precondition(err):
		err = fmt.Errorf("%s %s: %w: %w", op, s.url(key), errPrecondition, err)
	default:
		err = fmt.Errorf("%s %s: %w", op, s.url(key), err)
	}
	return scrub(err, s.secret)
}

func (s *s3Store) get(ctx context.Context, key string) ([]byte, string, error) {
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &s.bucket, Key: &key})
	if err != nil {
		return nil, "", s.fail("get", key, err)
	}
	defer out.Body.Close()
	data, err := io.ReadAll(out.Body)
	if err != nil {
		return nil, "", s.fail("get", key, err)
	}
	return data, aws.ToString(out.ETag), nil
}

func (s *s3Store) put(ctx context.Context, key string, data []byte, cond condition) (string, error) {
	in := &s3.PutObjectInput{
		Bucket:        &s.bucket,
		Key:           &key,
		Body:          bytes.NewReader(data),
		ContentLength: aws.Int64(int64(len(data))),
		ContentType:   aws.String("application/json"),
	}
	switch {
	case cond.absent:
		in.IfNoneMatch = aws.String("*")
	case cond.etag != "":
		in.IfMatch = aws.String(cond.etag)
	}
	out, err := s.client.PutObject(ctx, in)
	if err != nil {
		if cond.etag != "" && isS3NotFound(err) {
			// If-Match on a key that was deleted since it was read.
			return "", fmt.Errorf("put %s: %w: it was deleted", s.url(key), errPrecondition)
		}
		return "", s.fail("put", key, err)
	}
	return aws.ToString(out.ETag), nil
}

func (s *s3Store) remove(ctx context.Context, key, etag string) error {
	in := &s3.DeleteObjectInput{Bucket: &s.bucket, Key: &key}
	if etag != "" {
		in.IfMatch = aws.String(etag)
	}
	_, err := s.client.DeleteObject(ctx, in)
	if err != nil && etag != "" && isS3Code(err, "NotImplemented") {
		// A store without conditional deletes: the caller compared the
		// ETag just before, which is as close as it can get.
		in.IfMatch = nil
		_, err = s.client.DeleteObject(ctx, in)
	}
	if err != nil && !isS3NotFound(err) {
		return s.fail("delete", key, err)
	}
	return nil
}

// isS3NotFound tells whether S3 said the key does not exist. A HEAD
// reply has no body, hence no NoSuchKey code: it comes as "NotFound".
func isS3NotFound(err error) bool {
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	switch apiErr.ErrorCode() {
	case "NoSuchKey", "NotFound":
		return true
	}
	return false
}

// isS3Precondition tells whether S3 refused a conditional write because
// its condition did not hold (412), or because another conditional write
// to the key was in flight (409 ConditionalRequestConflict): either way
// the object is not the version the writer expected.
func isS3Precondition(err error) bool {
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	switch apiErr.ErrorCode() {
	case "PreconditionFailed", "ConditionalRequestConflict":
		return true
	}
	return false
}

// isS3Code tells whether err is an S3 error with that code.
func isS3Code(err error, code string) bool {
	var apiErr smithy.APIError
	return errors.As(err, &apiErr) && apiErr.ErrorCode() == code
}
