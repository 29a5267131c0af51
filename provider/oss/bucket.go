package oss

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/ferry-dev/ferry/provider"
)

var (
	_ provider.Bucket          = (*Bucket)(nil)
	_ provider.MultipartBucket = (*Bucket)(nil)
)

const (
	// checksumPrefix is how Object.Checksum names the CRC OSS reports.
	checksumPrefix = "crc64ecma:"
	// headerCRC is the reply header carrying that CRC.
	headerCRC = "X-Oss-Hash-Crc64ecma"
	// listPage and deleteBatch are the most keys OSS takes per request.
	listPage    = 1000
	deleteBatch = 1000
	userAgent   = "ferry"
)

// publicEndpoint matches a region's public OSS endpoint, whose internal
// twin MaxCompute reads from.
var publicEndpoint = regexp.MustCompile(`^oss-([a-z0-9-]+)\.aliyuncs\.com$`)

// Config locates an OSS bucket and says how to authenticate.
type Config struct {
	// Bucket is the bucket name.
	Bucket string
	// Prefix, when set, is a folder inside the bucket that acts as the
	// root: keys given to and returned by the Bucket are relative to it.
	Prefix string
	// Endpoint is the OSS endpoint ferry talks to
	// ("oss-ap-southeast-1.aliyuncs.com"; https unless a scheme is
	// given). Empty: the public endpoint of Region.
	Endpoint string
	// Region ("ap-southeast-1"), when set, makes requests signed with V4
	// scoped to it; without it requests use the V1 signature.
	Region string
	// InternalEndpoint is the endpoint MaxCompute reads from, written
	// into LOAD locations. Empty: the "-internal" twin of a standard
	// public endpoint, else Endpoint itself.
	InternalEndpoint string
	// AccessKeyID and AccessKeySecret, with SecurityToken for STS
	// credentials, authenticate directly. When they are empty the Alibaba
	// Cloud default credential chain is used (ALIBABA_CLOUD_ACCESS_KEY_ID,
	// ALIBABA_CLOUD_ACCESS_KEY_SECRET, ALIBABA_CLOUD_SECURITY_TOKEN,
	// profile files, ECS RAM role).
	AccessKeyID     string
	AccessKeySecret string
	SecurityToken   string
	// RoleArn, when set, is a RAM role assumed through STS with the
	// credentials above; requests use the role's session credentials.
	RoleArn string
	// HTTPClient replaces the SDK's HTTP client (proxies, tests).
	HTTPClient *http.Client
	// Retries is how many times a failed read, listing, delete or
	// rewindable upload is retried (0: 4; negative: never).
	Retries int
}

// Bucket is an OSS bucket, or a folder of one, as a provider.Bucket.
type Bucket struct {
	cfg     Config
	prefix  string
	bucket  *oss.Bucket
	creds   *credentialSource
	retries int
	// location is the endpoint host written into LOAD locations.
	location string
}

// New returns the bucket cfg describes. It resolves credentials once, so
// that missing or unusable credentials are reported here rather than on
// the first request; it does not check that the bucket exists.
func New(ctx context.Context, cfg Config) (*Bucket, error) {
	if cfg.Bucket == "" {
		return nil, errors.New("oss: bucket name is required")
	}
	if err := oss.CheckBucketName(cfg.Bucket); err != nil {
		return nil, fmt.Errorf("oss: %w", err)
	}
	endpoint := cfg.Endpoint
	if endpoint == "" {
		if cfg.Region == "" {
			return nil, errors.New("oss: an endpoint or a region is required")
		}
		endpoint = "oss-" + cfg.Region + ".aliyuncs.com"
	}
	if !strings.Contains(endpoint, "://") {
		endpoint = "https://" + endpoint
	}
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("oss: endpoint %q is not a host name or URL", cfg.Endpoint)
	}
	creds, err := newCredentialSource(cfg)
	if err != nil {
		return nil, fmt.Errorf("oss: %w", err)
	}
	b := &Bucket{cfg: cfg, prefix: normalizePrefix(cfg.Prefix), creds: creds, retries: cfg.Retries}
	if b.retries == 0 {
		b.retries = defaultRetries
	} else if b.retries < 0 {
		b.retries = 0
	}
	b.location = locationHost(u.Host, cfg.InternalEndpoint)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if _, err := creds.GetCredentialsE(); err != nil {
		return nil, b.errorf("oss: %w", err)
	}

	opts := []oss.ClientOption{
		oss.SetCredentialsProvider(creds),
		oss.EnableCRC(true),
		oss.UserAgent(userAgent),
	}
	if cfg.Region != "" {
		opts = append(opts, oss.AuthVersion(oss.AuthV4), oss.Region(cfg.Region))
	}
	if cfg.HTTPClient != nil {
		opts = append(opts, oss.HTTPClient(cfg.HTTPClient))
	}
	client, err := oss.New(u.Scheme+"://"+u.Host, "", "", opts...)
	if err != nil {
		return nil, b.errorf("oss: %w", err)
	}
	if b.bucket, err = client.Bucket(cfg.Bucket); err != nil {
		return nil, b.errorf("oss: %w", err)
	}
	return b, nil
}

// normalizePrefix turns "a/b", "/a/b/" into "a/b/", and "" or "/" into "".
func normalizePrefix(p string) string {
	p = strings.Trim(p, "/")
	if p == "" {
		return ""
	}
	return p + "/"
}

// locationHost picks the endpoint host MaxCompute reads from.
func locationHost(publicHost, internal string) string {
	if internal != "" {
		if u, err := url.Parse(internal); err == nil && u.Host != "" {
			return u.Host
		}
		return strings.TrimSuffix(internal, "/")
	}
	if m := publicEndpoint.FindStringSubmatch(publicHost); m != nil && !strings.HasSuffix(m[1], "-internal") {
		return "oss-" + m[1] + "-internal.aliyuncs.com"
	}
	return publicHost
}

// objectKey is the full OSS key of a bucket-relative key.
func (b *Bucket) objectKey(key string) string { return b.prefix + key }

// URL returns "oss://<bucket>/<key>", the key including the prefix.
func (b *Bucket) URL(key string) string {
	return "oss://" + b.cfg.Bucket + "/" + b.objectKey(key)
}

// LocationURL returns the form a MaxCompute LOAD takes,
// "oss://<endpoint host>/<bucket>/<key>", with the internal endpoint
// MaxCompute reaches OSS through.
func (b *Bucket) LocationURL(key string) string {
	return "oss://" + b.location + "/" + b.cfg.Bucket + "/" + b.objectKey(key)
}

// List returns every object under prefix, sorted by key, 1000 per
// request. Checksum is left empty: listings carry no CRC, and asking for
// it would take a request per object.
func (b *Bucket) List(ctx context.Context, prefix string) ([]provider.Object, error) {
	var out []provider.Object
	token := ""
	for {
		opts := []oss.Option{oss.WithContext(ctx), oss.Prefix(b.objectKey(prefix)), oss.MaxKeys(listPage)}
		if token != "" {
			opts = append(opts, oss.ContinuationToken(token))
		}
		var res oss.ListObjectsResultV2
		err := b.retry(ctx, nil, func() error {
			var err error
			res, err = b.bucket.ListObjectsV2(opts...)
			return err
		})
		if err != nil {
			return nil, b.errorf("list %s: %w", b.URL(prefix), err)
		}
		for _, o := range res.Objects {
			key, ok := strings.CutPrefix(o.Key, b.prefix)
			if !ok {
				continue
			}
			out = append(out, provider.Object{Key: key, Size: o.Size})
		}
		if !res.IsTruncated || res.NextContinuationToken == "" {
			break
		}
		token = res.NextContinuationToken
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// checksumOf returns the Object checksum for a reply's CRC header, or ""
// when the reply has none.
func checksumOf(h http.Header) string {
	v := h.Get(headerCRC)
	if _, err := strconv.ParseUint(v, 10, 64); err != nil {
		return ""
	}
	return checksumPrefix + v
}

// Delete removes keys in batches of 1000 (quiet mode); missing keys are
// not an error.
func (b *Bucket) Delete(ctx context.Context, keys []string) error {
	for start := 0; start < len(keys); start += deleteBatch {
		batch := keys[start:min(start+deleteBatch, len(keys))]
		full := make([]string, len(batch))
		for i, k := range batch {
			full[i] = b.objectKey(k)
		}
		err := b.retry(ctx, nil, func() error {
			_, err := b.bucket.DeleteObjects(full, oss.DeleteObjectsQuiet(true), oss.WithContext(ctx))
			return err
		})
		if err != nil {
			return b.errorf("delete %d objects under %s: %w", len(batch), b.URL(""), err)
		}
	}
	return nil
}
