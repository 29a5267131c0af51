package connect

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/ferry-dev/ferry/config"
	"github.com/ferry-dev/ferry/provider"
	"github.com/ferry-dev/ferry/provider/mgw"
)

// onlineMigration builds the Data Online Migration engine of a migration:
// the service account and settings come from the copy block, the source
// address from the S3 staging bucket (its keys, endpoint and region), the
// destination from the OSS landing bucket.
func (r *Registry) onlineMigration(migration string, opts map[string]string) (provider.Copier, error) {
	var m *config.Migration
	for _, mm := range r.cfg.Migrations {
		if mm.Name == migration {
			m = mm
		}
	}
	if m == nil || len(m.Via) != 2 {
		return nil, fmt.Errorf("copy engine online_migration needs an s3 staging bucket and an oss landing bucket in via")
	}
	src, dst := r.cfg.Buckets[m.Via[0]], r.cfg.Buckets[m.Via[1]]
	if src.Kind != "s3" || dst.Kind != "oss" {
		return nil, fmt.Errorf("copy engine online_migration copies from an s3 bucket to an oss bucket, not %s to %s", src.Kind, dst.Kind)
	}
	opt := func(k string) string {
		v, ok := m.CopyOptions[k]
		if !ok || v.Value.IsNull() || !v.Value.IsKnown() {
			return ""
		}
		return v.Text()
	}
	poll, err := durationOpt(opts, "poll_interval", 0)
	if err != nil {
		return nil, err
	}
	timeout, err := durationOpt(opts, "timeout", 0)
	if err != nil {
		return nil, err
	}
	bw, err := sizeOpt(opts, "max_bandwidth")
	if err != nil {
		return nil, err
	}
	domain := src.String("endpoint", "")
	if u, err := url.Parse(domain); err == nil && u.Host != "" {
		domain = u.Host
	}
	if domain == "" {
		domain = "s3." + src.String("region", "") + ".amazonaws.com"
	}
	region := opt("region")
	if region == "" {
		region = strings.TrimPrefix(dst.String("region", ""), "oss-")
	}
	keyID, secret, token := opt("access_key_id"), opt("access_key_secret"), opt("security_token")
	if keyID == "" {
		keyID, secret, token = dst.String("access_key_id", ""), dst.String("access_key_secret", ""), dst.String("security_token", "")
	}
	return mgw.New(mgw.Config{
		UserID: opt("user_id"), Region: region, Endpoint: opt("endpoint"),
		AccessKeyID: keyID, AccessKeySecret: secret, SecurityToken: token,
		SourceAddress: mgw.S3Address{
			AccessKeyID: src.String("access_key", ""), AccessKeySecret: src.String("secret_key", ""),
			Domain: domain, Bucket: src.String("bucket", ""), Region: src.String("region", ""),
		},
		DestAddress: mgw.OSSAddress{
			Bucket: dst.String("bucket", ""), RegionID: "oss-" + region,
			Domain: dst.String("endpoint", ""), Role: opt("role"),
		},
		JobPrefix: opt("job_prefix"), PollInterval: poll, Timeout: timeout, MaxBandwidth: bw * 8,
	})
}
