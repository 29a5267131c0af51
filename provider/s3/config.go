package s3

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// defaultCompatibleRegion is the region signed for when an S3-compatible
// endpoint is given without one; such servers accept it by convention.
const defaultCompatibleRegion = "us-east-1"

// Config says which bucket to use and how to reach it. Only Bucket is
// required; everything else has a sensible default on AWS.
type Config struct {
	// Bucket is the bucket name.
	Bucket string
	// Prefix is prepended to every key, so that a Bucket sees only its
	// own folder ("unload_from_redshift" and "unload_from_redshift/" are
	// the same prefix).
	Prefix string
	// Region is the bucket's region. Empty takes it from the AWS
	// configuration (AWS_REGION, the profile), or "us-east-1" when
	// Endpoint is set.
	Region string
	// Endpoint overrides the S3 endpoint, for S3-compatible stores or VPC
	// endpoints ("http://127.0.0.1:7070"). A bare host name means https.
	Endpoint string
	// PathStyle addresses buckets as endpoint/bucket/key instead of
	// bucket.endpoint/key, which most S3-compatible stores need.
	PathStyle bool
	// AccessKey and SecretKey, with SessionToken for temporary
	// credentials, are used when given; otherwise the AWS default chain
	// finds credentials (environment, shared files, SSO, container and
	// instance roles).
	AccessKey    string
	SecretKey    string
	SessionToken string
	// Profile selects a profile of the shared AWS config and credentials
	// files instead of AWS_PROFILE or "default".
	Profile string
	// HTTPClient replaces the SDK's HTTP client, for proxies, custom CAs
	// or tests.
	HTTPClient *http.Client
}

// Bucket is an S3 bucket, or a prefix of one, used as a ferry bucket. It
// is safe for concurrent use.
type Bucket struct {
	client *s3.Client
	bucket string
	// prefix is the configured prefix, empty or ending in "/".
	prefix string
}

// New returns the bucket cfg describes. It resolves the configuration and
// credential sources but makes no request, so a wrong bucket name or
// missing permission shows up at the first call, named in its error.
func New(ctx context.Context, cfg Config) (*Bucket, error) {
	if cfg.Bucket == "" {
		return nil, errors.New("s3: bucket name is required")
	}
	if (cfg.AccessKey == "") != (cfg.SecretKey == "") {
		return nil, fmt.Errorf("s3 bucket %s: access key and secret key must be given together", cfg.Bucket)
	}
	client, err := NewClient(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return &Bucket{client: client, bucket: cfg.Bucket, prefix: normalizePrefix(cfg.Prefix)}, nil
}

// NewClient returns the S3 client for cfg: the AWS default credential
// chain (or the explicit keys), the region, the endpoint override and path
// style, and checksums limited to where S3 requires them on S3-compatible
// servers. Other packages that talk to S3 (the remote state backend) use it
// so that every S3 connection in ferry is configured the same way.
func NewClient(ctx context.Context, cfg Config) (*s3.Client, error) {
	awsCfg, err := loadAWSConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("s3 bucket %s: load AWS configuration: %w", cfg.Bucket, err)
	}
	if awsCfg.Region == "" {
		if cfg.Endpoint == "" {
			return nil, fmt.Errorf("s3 bucket %s: no region: set region in the bucket block, AWS_REGION or the profile", cfg.Bucket)
		}
		awsCfg.Region = defaultCompatibleRegion
	}
	endpoint := cfg.Endpoint
	if endpoint != "" && !strings.Contains(endpoint, "://") {
		endpoint = "https://" + endpoint
	}
	if endpoint != "" {
		// S3-compatible servers often reject the CRC32 checksums the SDK
		// adds by default, and a streamed body over plain HTTP cannot
		// carry one: send checksums only where S3 requires them.
		awsCfg.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		awsCfg.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	}
	client := s3.NewFromConfig(awsCfg, func(o *s3.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
		o.UsePathStyle = cfg.PathStyle
		// Multipart objects carry composite checksums the SDK cannot
		// validate; it would log a warning on every such read.
		o.DisableLogOutputChecksumValidationSkipped = true
	})
	return client, nil
}

// loadAWSConfig resolves region, credentials and HTTP client through the
// SDK's default loader, so that every source the AWS CLI honours works.
func loadAWSConfig(ctx context.Context, cfg Config) (aws.Config, error) {
	opts := []func(*config.LoadOptions) error{
		// The copy engine retries whole objects and parts itself; the
		// SDK's retry quota would only turn a burst of throttling into
		// errors that say nothing about the service.
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.RateLimiter = ratelimit.None
			})
		}),
	}
	if cfg.Region != "" {
		opts = append(opts, config.WithRegion(cfg.Region))
	}
	if cfg.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(cfg.Profile))
	}
	if cfg.AccessKey != "" {
		opts = append(opts, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(cfg.AccessKey, cfg.SecretKey, cfg.SessionToken)))
	}
	if cfg.HTTPClient != nil {
		opts = append(opts, config.WithHTTPClient(cfg.HTTPClient))
	}
	return config.LoadDefaultConfig(ctx, opts...)
}

// normalizePrefix makes a non-empty prefix end in exactly one "/" and
// drops any leading "/", which S3 would otherwise keep as part of the key.
func normalizePrefix(p string) string {
	p = strings.Trim(p, "/")
	if p == "" {
		return ""
	}
	return p + "/"
}

// Name returns the bucket name.
func (b *Bucket) Name() string { return b.bucket }

// Prefix returns the key prefix every object of this Bucket lives under,
// empty or ending in "/".
func (b *Bucket) Prefix() string { return b.prefix }

// URL returns "s3://bucket/prefix/key", the form Redshift UNLOAD and COPY
// take. A key ending in "/" addresses a folder.
func (b *Bucket) URL(key string) string {
	return "s3://" + b.bucket + "/" + b.prefix + key
}

// fullKey is the S3 key of a ferry key.
func (b *Bucket) fullKey(key string) string { return b.prefix + key }
