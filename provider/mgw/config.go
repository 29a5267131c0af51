package mgw

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

const (
	// serviceSuffix ends every Data Online Migration host name.
	serviceSuffix = ".mgw.aliyuncs.com"

	defaultJobPrefix    = "ferry"
	defaultPollInterval = 10 * time.Second
	defaultTimeout      = 24 * time.Hour
	// maxJobPrefix leaves room for "-j-" and a 16-digit hash within the
	// service's 63-character name limit.
	maxJobPrefix = 40
)

// Overwrite and transfer modes, as CreateJob takes them. The service
// documents three combinations: always+all (overwrite everything),
// always+lastmodified (overwrite when the source is newer) and never+all
// (never overwrite).
const (
	OverwriteAlways      = "always"
	OverwriteNever       = "never"
	TransferAll          = "all"
	TransferLastModified = "lastmodified"

	defaultOverwriteMode = OverwriteAlways
	defaultTransferMode  = TransferLastModified
)

// Address types and verification statuses, as the service spells them.
const (
	addressTypeS3            = "s3"
	addressTypeOSS           = "oss"
	statusAddressAvailable   = "available"
	statusAddressAvailTypo   = "avaliable" // spelled so in the API reference examples
	statusAddressUnavailable = "unavailable"
)

// jobPrefixPattern is what the service accepts at the start of a name:
// lower-case letters, digits, hyphens and underscores, not starting with
// a hyphen or underscore.
var jobPrefixPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// Config says which migration service account to use and how the
// service reaches both sides of the copy.
type Config struct {
	// UserID is the Alibaba Cloud account ID (uid) that owns the
	// migration resources; every request's host starts with it.
	UserID string
	// Region is the migration service region ("cn-hangzhou"). Requests
	// are signed for it. Empty: taken from Endpoint when Endpoint is a
	// service host name.
	Region string
	// Endpoint overrides the service address. A bare host name
	// ("cn-hangzhou.mgw.aliyuncs.com") is reached over https, with the
	// uid prepended. A URL with a scheme ("http://127.0.0.1:8080") is
	// dialled as given while the Host header stays
	// <uid>.<region>.mgw.aliyuncs.com, which is how tests reach an
	// emulator. Empty: https://<uid>.<region>.mgw.aliyuncs.com.
	Endpoint string
	// AccessKeyID and AccessKeySecret sign requests to the migration
	// service; SecurityToken is added for STS credentials.
	AccessKeyID     string
	AccessKeySecret string
	SecurityToken   string
	// SourceAddress is how the service reads the S3 staging bucket.
	SourceAddress S3Address
	// DestAddress is how the service writes the OSS landing bucket.
	DestAddress OSSAddress
	// JobPrefix starts the names of the addresses and jobs ferry creates
	// (default "ferry"): lower-case letters, digits, "-" and "_", at most
	// 40 characters.
	JobPrefix string
	// OverwriteMode and TransferMode are passed to CreateJob (defaults
	// "always" and "lastmodified": an object is copied again only when
	// the source is newer, so a rerun copies nothing twice).
	OverwriteMode string
	TransferMode  string
	// PollInterval is the wait between status requests (default 10s).
	PollInterval time.Duration
	// Timeout bounds one Copy, from the first request to the verified
	// result (default 24h). The context may end it sooner.
	Timeout time.Duration
	// MaxBandwidth caps the job's transfer rate in bits per second, the
	// unit the service takes (0: no limit).
	MaxBandwidth int64
	// HTTPClient replaces http.DefaultClient (proxies, tests).
	HTTPClient *http.Client
}

// S3Address is the source side of a job: an S3 bucket the service reads
// with an AWS key pair.
type S3Address struct {
	// AccessKeyID and AccessKeySecret are the AWS key pair the service
	// reads the bucket with; it needs s3:ListBucket and s3:GetObject.
	AccessKeyID     string
	AccessKeySecret string
	// Domain is the S3 endpoint the service connects to
	// ("s3.us-west-2.amazonaws.com"). Empty: s3.<Region>.amazonaws.com.
	Domain string
	// Bucket is the bucket name. Empty: the name of the Copy request's
	// source bucket.
	Bucket string
	// Region is the bucket's AWS region ("us-west-2").
	Region string
}

// OSSAddress is the destination side of a job: an OSS bucket the service
// writes through a RAM role.
type OSSAddress struct {
	// Bucket is the bucket name. Empty: the name of the Copy request's
	// destination bucket.
	Bucket string
	// RegionID is the bucket's region in the OSS form
	// ("oss-cn-hangzhou").
	RegionID string
	// Domain is the OSS endpoint the service writes through
	// ("oss-cn-hangzhou-internal.aliyuncs.com"); empty leaves the choice
	// to the service.
	Domain string
	// Role is the name (not the ARN) of the RAM role the service assumes
	// to write the bucket.
	Role string
}

// String renders the configuration with its secrets replaced by
// "(sensitive)", so that a Config printed by mistake leaks nothing.
func (c Config) String() string {
	hide := func(s string) string {
		if s == "" {
			return ""
		}
		return "(sensitive)"
	}
	return fmt.Sprintf("mgw.Config{UserID:%s Region:%s Endpoint:%s AccessKeyID:%s AccessKeySecret:%s SecurityToken:%s Source:s3://%s (key %s, secret %s) Dest:oss://%s (%s, role %s)}",
		c.UserID, c.Region, c.Endpoint, c.AccessKeyID, hide(c.AccessKeySecret), hide(c.SecurityToken),
		c.SourceAddress.Bucket, c.SourceAddress.AccessKeyID, hide(c.SourceAddress.AccessKeySecret),
		c.DestAddress.Bucket, c.DestAddress.RegionID, c.DestAddress.Role)
}

// withDefaults checks cfg and fills in its defaults.
func (c Config) withDefaults() (Config, error) {
	var errs []error
	if c.UserID == "" {
		errs = append(errs, errors.New("user_id (the account uid) is required"))
	}
	if c.AccessKeyID == "" || c.AccessKeySecret == "" {
		errs = append(errs, errors.New("access_key_id and access_key_secret are required"))
	}
	if c.Region == "" {
		if host, ok := strings.CutSuffix(strings.TrimPrefix(c.Endpoint, c.UserID+"."), serviceSuffix); ok && !strings.Contains(host, "/") {
			c.Region = host
		}
	}
	if c.Region == "" {
		errs = append(errs, errors.New("region is required (or an endpoint <region>.mgw.aliyuncs.com)"))
	}
	if c.SourceAddress.AccessKeyID == "" || c.SourceAddress.AccessKeySecret == "" {
		errs = append(errs, errors.New("source address: the AWS access key ID and secret are required"))
	}
	if c.SourceAddress.Domain == "" {
		if c.SourceAddress.Region == "" {
			errs = append(errs, errors.New("source address: a domain or a region is required"))
		}
		c.SourceAddress.Domain = "s3." + c.SourceAddress.Region + ".amazonaws.com"
	}
	if !strings.HasPrefix(c.DestAddress.RegionID, "oss-") {
		errs = append(errs, fmt.Errorf("destination address: region_id %q must be in the OSS form oss-<region>", c.DestAddress.RegionID))
	}
	if c.DestAddress.Role == "" {
		errs = append(errs, errors.New("destination address: the RAM role name the service writes with is required"))
	}
	if c.JobPrefix == "" {
		c.JobPrefix = defaultJobPrefix
	}
	if len(c.JobPrefix) > maxJobPrefix || !jobPrefixPattern.MatchString(c.JobPrefix) {
		errs = append(errs, fmt.Errorf("job_prefix %q: use at most %d lower-case letters, digits, - and _, starting with a letter or digit", c.JobPrefix, maxJobPrefix))
	}
	if c.OverwriteMode == "" {
		c.OverwriteMode = defaultOverwriteMode
	}
	if c.TransferMode == "" {
		c.TransferMode = defaultTransferMode
	}
	switch c.OverwriteMode + "/" + c.TransferMode {
	case "always/all", "always/lastmodified", "never/all":
	default:
		errs = append(errs, fmt.Errorf("overwrite mode %q with transfer mode %q: the service takes always/all, always/lastmodified or never/all", c.OverwriteMode, c.TransferMode))
	}
	if c.PollInterval <= 0 {
		c.PollInterval = defaultPollInterval
	}
	if c.Timeout <= 0 {
		c.Timeout = defaultTimeout
	}
	if c.MaxBandwidth < 0 {
		errs = append(errs, errors.New("max_bandwidth must not be negative"))
	}
	if c.HTTPClient == nil {
		c.HTTPClient = http.DefaultClient
	}
	if len(errs) > 0 {
		return c, fmt.Errorf("mgw: %w", errors.Join(errs...))
	}
	return c, nil
}

// serviceTarget returns the base URL requests are sent to and the Host
// header they carry.
func (c Config) serviceTarget() (base *url.URL, host string, err error) {
	host = c.UserID + "." + c.Region + serviceSuffix
	switch {
	case c.Endpoint == "":
		return &url.URL{Scheme: "https", Host: host}, host, nil
	case strings.Contains(c.Endpoint, "://"):
		u, err := url.Parse(c.Endpoint)
		if err != nil || u.Host == "" {
			return nil, "", fmt.Errorf("mgw: endpoint %q is not a URL", c.Endpoint)
		}
		u.Path = strings.TrimSuffix(u.Path, "/")
		return u, host, nil
	default:
		h := strings.TrimSuffix(c.Endpoint, "/")
		if !strings.HasPrefix(h, c.UserID+".") {
			h = c.UserID + "." + h
		}
		return &url.URL{Scheme: "https", Host: h}, h, nil
	}
}

// secrets lists the values no error may show.
func (c Config) secrets() []string {
	return []string{c.AccessKeySecret, c.SecurityToken, c.SourceAddress.AccessKeySecret}
}
