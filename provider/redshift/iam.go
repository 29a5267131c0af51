package redshift

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	rsapi "github.com/aws/aws-sdk-go-v2/service/redshift"
	"github.com/aws/aws-sdk-go-v2/service/redshiftserverless"
)

// Temporary credential lifetimes, as the services bound them.
const (
	defaultIAMDuration = 15 * time.Minute
	maxClusterDuration = time.Hour
	maxServerlessLife  = 12 * time.Hour
	// iamRefreshMargin is how long before expiry credentials are
	// replaced, so a connection never starts with a password about to
	// lapse.
	iamRefreshMargin = time.Minute
)

// iamFetch asks AWS for a database user and password and their expiry.
type iamFetch func(ctx context.Context) (user, password string, expires time.Time, err error)

// iamCredentials caches temporary database credentials and refreshes
// them shortly before they expire. The password lives only here and in
// the pgx config copy of each new connection.
type iamCredentials struct {
	fetch  iamFetch
	margin time.Duration
	// now is the clock, replaced by tests.
	now func() time.Time

	mu       sync.Mutex
	user     string
	password string
	expires  time.Time
	// old keeps every password issued, so errors can be scrubbed of
	// them even after a refresh.
	old []string
}

// loadAWSConfig loads the AWS default credential chain for region.
func loadAWSConfig(ctx context.Context, region string) (aws.Config, error) {
	if region == "" {
		return aws.Config{}, errors.New("region is required for AWS API calls")
	}
	return awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(region))
}

// newIAMCredentials picks GetClusterCredentials or GetCredentials from
// cfg and fetches the first credentials, so that a denied request fails
// at New.
func newIAMCredentials(ctx context.Context, cfg Config) (*iamCredentials, error) {
	duration := cfg.IAMDuration
	if duration <= 0 {
		duration = defaultIAMDuration
	}
	awsCfg, err := loadAWSConfig(ctx, cfg.Region)
	if err != nil {
		return nil, err
	}
	var fetch iamFetch
	switch {
	case cfg.ClusterIdentifier != "" && cfg.WorkgroupName != "":
		return nil, errors.New("IAM authentication needs either a cluster identifier or a workgroup, not both")
	case cfg.ClusterIdentifier != "":
		if cfg.DBUser == "" {
			return nil, errors.New("IAM authentication to a provisioned cluster needs a database user")
		}
		client := rsapi.NewFromConfig(awsCfg, func(o *rsapi.Options) {
			if cfg.AWSEndpoint != "" {
				o.BaseEndpoint = aws.String(cfg.AWSEndpoint)
			}
		})
		seconds := int32(min(duration, maxClusterDuration) / time.Second)
		fetch = func(ctx context.Context) (string, string, time.Time, error) {
			out, err := client.GetClusterCredentials(ctx, &rsapi.GetClusterCredentialsInput{
				ClusterIdentifier: aws.String(cfg.ClusterIdentifier), DbUser: aws.String(cfg.DBUser),
				DbName: aws.String(cfg.Database), DurationSeconds: aws.Int32(seconds),
			})
			if err != nil {
				return "", "", time.Time{}, fmt.Errorf("GetClusterCredentials for cluster %s: %w", cfg.ClusterIdentifier, err)
			}
			return aws.ToString(out.DbUser), aws.ToString(out.DbPassword), aws.ToTime(out.Expiration), nil
		}
	case cfg.WorkgroupName != "":
		client := redshiftserverless.NewFromConfig(awsCfg, func(o *redshiftserverless.Options) {
			if cfg.AWSEndpoint != "" {
				o.BaseEndpoint = aws.String(cfg.AWSEndpoint)
			}
		})
		seconds := int32(min(duration, maxServerlessLife) / time.Second)
		fetch = func(ctx context.Context) (string, string, time.Time, error) {
			out, err := client.GetCredentials(ctx, &redshiftserverless.GetCredentialsInput{
				WorkgroupName: aws.String(cfg.WorkgroupName), DbName: aws.String(cfg.Database),
				DurationSeconds: aws.Int32(seconds),
			})
			if err != nil {
				return "", "", time.Time{}, fmt.Errorf("GetCredentials for workgroup %s: %w", cfg.WorkgroupName, err)
			}
			return aws.ToString(out.DbUser), aws.ToString(out.DbPassword), aws.ToTime(out.Expiration), nil
		}
	default:
		return nil, errors.New("IAM authentication needs a cluster identifier or a workgroup")
	}
	c := &iamCredentials{fetch: fetch, margin: iamRefreshMargin, now: time.Now}
	if _, _, err := c.get(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// get returns valid credentials, fetching new ones when none are cached
// or the cached ones expire within the margin.
func (c *iamCredentials) get(ctx context.Context) (user, password string, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.password != "" && c.now().Add(c.margin).Before(c.expires) {
		return c.user, c.password, nil
	}
	user, password, expires, err := c.fetch(ctx)
	if err != nil {
		return "", "", err
	}
	if user == "" || password == "" {
		return "", "", errors.New("AWS returned empty temporary database credentials")
	}
	c.user, c.password, c.expires = user, password, expires
	c.old = append(c.old, password)
	return user, password, nil
}

// secrets returns every password issued so far, for scrubbing.
func (c *iamCredentials) secrets() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.old...)
}
