package oss

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/aliyun/credentials-go/credentials/providers"
)

// roleSessionName names the STS sessions ferry opens, so that audit logs
// on the Alibaba Cloud side show which tool assumed the role.
const roleSessionName = "ferry"

// credentials is a fixed key pair with an optional STS token, in the form
// the OSS SDK reads.
type credentials struct {
	id, secret, token string
}

// GetAccessKeyID implements oss.Credentials.
func (c credentials) GetAccessKeyID() string { return c.id }

// GetAccessKeySecret implements oss.Credentials.
func (c credentials) GetAccessKeySecret() string { return c.secret }

// GetSecurityToken implements oss.Credentials.
func (c credentials) GetSecurityToken() string { return c.token }

// credentialSource adapts a credentials-go provider (which caches and
// refreshes STS and ECS role credentials itself) to the OSS SDK. It also
// remembers the secrets it handed out, so that errors can be scrubbed of
// them.
type credentialSource struct {
	p providers.CredentialsProvider

	mu   sync.Mutex
	seen map[string]bool
}

var _ oss.CredentialsProviderE = (*credentialSource)(nil)

// GetCredentials implements oss.CredentialsProvider. The SDK prefers
// GetCredentialsE, which reports failures; this form, used only by code
// paths that cannot, returns empty credentials on error so the request
// fails at the server instead of panicking.
func (c *credentialSource) GetCredentials() oss.Credentials {
	cr, err := c.GetCredentialsE()
	if err != nil {
		return credentials{}
	}
	return cr
}

// GetCredentialsE implements oss.CredentialsProviderE.
func (c *credentialSource) GetCredentialsE() (oss.Credentials, error) {
	cc, err := c.p.GetCredentials()
	if err != nil {
		return nil, fmt.Errorf("alibaba cloud credentials (%s): %w", c.p.GetProviderName(), err)
	}
	c.mu.Lock()
	if c.seen == nil {
		c.seen = map[string]bool{}
	}
	for _, s := range []string{cc.AccessKeySecret, cc.SecurityToken} {
		if s != "" {
			c.seen[s] = true
		}
	}
	c.mu.Unlock()
	return credentials{id: cc.AccessKeyId, secret: cc.AccessKeySecret, token: cc.SecurityToken}, nil
}

// secrets returns every secret and token handed out so far.
func (c *credentialSource) secrets() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]string, 0, len(c.seen))
	for s := range c.seen {
		out = append(out, s)
	}
	return out
}

// staticProvider serves the key pair given in Config.
type staticProvider struct {
	cred providers.Credentials
}

// GetCredentials implements providers.CredentialsProvider.
func (s staticProvider) GetCredentials() (*providers.Credentials, error) {
	c := s.cred
	return &c, nil
}

// GetProviderName implements providers.CredentialsProvider.
func (s staticProvider) GetProviderName() string { return s.cred.ProviderName }

// newCredentialSource picks where credentials come from: the explicit
// key pair (with its STS token) when both halves are set, else the
// default chain; and on top of either, the RAM role of cfg.RoleArn.
func newCredentialSource(cfg Config) (*credentialSource, error) {
	var base providers.CredentialsProvider
	switch {
	case cfg.AccessKeyID != "" && cfg.AccessKeySecret != "":
		name := "static_ak"
		if cfg.SecurityToken != "" {
			name = "static_sts"
		}
		base = staticProvider{cred: providers.Credentials{
			AccessKeyId: cfg.AccessKeyID, AccessKeySecret: cfg.AccessKeySecret,
			SecurityToken: cfg.SecurityToken, ProviderName: name,
		}}
	case cfg.AccessKeyID != "" || cfg.AccessKeySecret != "":
		return nil, errors.New("access_key_id and access_key_secret must be set together")
	default:
		base = providers.NewDefaultCredentialsProvider()
	}
	if cfg.RoleArn == "" {
		return &credentialSource{p: base}, nil
	}
	if !strings.HasPrefix(cfg.RoleArn, "acs:ram::") {
		return nil, fmt.Errorf("role ARN %q is not of the form acs:ram::<account>:role/<name>", cfg.RoleArn)
	}
	b := providers.NewRAMRoleARNCredentialsProviderBuilder().
		WithCredentialsProvider(base).
		WithRoleArn(cfg.RoleArn).
		WithRoleSessionName(roleSessionName)
	if cfg.Region != "" {
		b = b.WithStsRegionId(cfg.Region)
	}
	p, err := b.Build()
	if err != nil {
		return nil, fmt.Errorf("assume role %s: %w", cfg.RoleArn, err)
	}
	return &credentialSource{p: p}, nil
}
