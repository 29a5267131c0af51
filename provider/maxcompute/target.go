package maxcompute

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"strings"
	"time"

	"github.com/aliyun/aliyun-odps-go-sdk/odps"
	"github.com/aliyun/aliyun-odps-go-sdk/odps/account"

	"github.com/ferry-dev/ferry/provider"
)

var (
	_ provider.Target  = (*Target)(nil)
	_ provider.Querier = (*Target)(nil)
)

// Defaults used when Config leaves a field empty.
const (
	// DefaultInstanceTimeout bounds how long one SQL instance may run.
	DefaultInstanceTimeout = 6 * time.Hour
	// DefaultTimeZone is the session time zone of Query.
	DefaultTimeZone = "UTC"
)

// Hint names ferry sends with its statements.
const (
	HintTypeSystem2   = "odps.sql.type.system.odps2"
	HintDecimal2      = "odps.sql.decimal.odps2"
	HintExtendedScale = "odps.sql.decimal2.extended.scale.enable"
	HintParquetNative = "odps.ext.parquet.native"
	HintTimeZone      = "odps.sql.timezone"
)

// Config says how to reach a MaxCompute project.
type Config struct {
	// Endpoint is the service endpoint including /api, for example
	// http://service.cn-hangzhou.maxcompute.aliyun.com/api.
	Endpoint string
	// Project is the MaxCompute project; Schema, when set, the schema
	// inside it (three-level namespace).
	Project, Schema string
	// LoadRoleArn is the RAM role MaxCompute assumes to read OSS during
	// LOAD ('odps.properties.rolearn'). It is not a secret.
	LoadRoleArn string
	// AccessKeyID and AccessKeySecret sign requests; with SecurityToken
	// they are STS credentials. All empty: the ALIBABA_CLOUD_ACCESS_KEY_ID,
	// ALIBABA_CLOUD_ACCESS_KEY_SECRET and ALIBABA_CLOUD_SECURITY_TOKEN
	// environment variables.
	AccessKeyID, AccessKeySecret, SecurityToken string
	// Region selects V4 signing (for example "cn-hangzhou"); empty: V2.
	Region string
	// TimeZone is the session time zone Query runs in (default UTC), so
	// that TIMESTAMP values compare with the source's.
	TimeZone string
	// Lifecycle in days for tables whose TableSpec sets none (0: none).
	Lifecycle int
	// InstanceTimeout bounds each SQL instance (default 6 h); an instance
	// running longer is terminated.
	InstanceTimeout time.Duration
	// Logf receives progress lines, such as the Logview URL of a slow
	// instance. Nil: discarded.
	Logf func(format string, args ...any)
}

// Target is a MaxCompute project reached through the ODPS Go SDK.
type Target struct {
	cfg     Config
	odps    *odps.Odps
	secrets []string
	// Timing knobs, fixed by New; tests shorten them.
	pollMin, pollMax time.Duration
	retryMin         time.Duration
	retryAttempts    int
	logviewAfter     time.Duration
}

// New returns a Target for the project. It sends no request: the first
// failing call reports unreachable endpoints or bad credentials.
func New(ctx context.Context, cfg Config) (*Target, error) {
	if cfg.Endpoint == "" || cfg.Project == "" {
		return nil, errors.New("maxcompute: endpoint and project are required")
	}
	if cfg.InstanceTimeout <= 0 {
		cfg.InstanceTimeout = DefaultInstanceTimeout
	}
	if cfg.TimeZone == "" {
		cfg.TimeZone = DefaultTimeZone
	}
	if _, err := time.LoadLocation(cfg.TimeZone); err != nil {
		return nil, fmt.Errorf("maxcompute: time zone %q: %w", cfg.TimeZone, err)
	}
	if cfg.Logf == nil {
		cfg.Logf = func(string, ...any) {}
	}
	acc, err := newAccount(cfg)
	if err != nil {
		return nil, err
	}
	o := odps.NewOdps(acc, cfg.Endpoint)
	o.SetDefaultProjectName(cfg.Project)
	if cfg.Schema != "" {
		o.SetCurrentSchemaName(cfg.Schema)
	}
	if cfg.Region != "" {
		o.Options.RegionId = cfg.Region
	}
	t := &Target{
		cfg: cfg, odps: o,
		pollMin: 200 * time.Millisecond, pollMax: 5 * time.Second,
		retryMin: 200 * time.Millisecond, retryAttempts: 8,
		logviewAfter: 5 * time.Second,
	}
	for _, s := range []string{cfg.AccessKeySecret, cfg.SecurityToken, os.Getenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET"), os.Getenv("ALIBABA_CLOUD_SECURITY_TOKEN")} {
		if s != "" {
			t.secrets = append(t.secrets, s)
		}
	}
	return t, nil
}

// newAccount picks the credentials: AccessKey, STS, or the environment.
func newAccount(cfg Config) (account.Account, error) {
	var region []string
	if cfg.Region != "" {
		region = []string{cfg.Region}
	}
	switch {
	case cfg.AccessKeyID != "" && cfg.AccessKeySecret == "":
		return nil, errors.New("maxcompute: access_key_id is set without access_key_secret")
	case cfg.AccessKeyID != "" && cfg.SecurityToken != "":
		return account.NewStsAccount(cfg.AccessKeyID, cfg.AccessKeySecret, cfg.SecurityToken, region...), nil
	case cfg.AccessKeyID != "":
		return account.NewAliyunAccount(cfg.AccessKeyID, cfg.AccessKeySecret, region...), nil
	}
	id, secret := os.Getenv("ALIBABA_CLOUD_ACCESS_KEY_ID"), os.Getenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET")
	if id == "" || secret == "" {
		return nil, errors.New("maxcompute: no credentials: set an AccessKey or ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET")
	}
	if token := os.Getenv("ALIBABA_CLOUD_SECURITY_TOKEN"); token != "" {
		return account.NewStsAccount(id, secret, token, region...), nil
	}
	if len(region) > 0 {
		return account.NewAliyunAccount(id, secret, region...), nil
	}
	return account.AccountFromEnv(), nil
}

// Close releases nothing: the SDK keeps no connections that need closing.
func (t *Target) Close() error { return nil }

// Dialect returns "maxcompute".
func (t *Target) Dialect() string { return "maxcompute" }

// hints returns the settings every statement carries: the 2.0 type system
// and decimal flags (the project default is unknown, and without them INT
// silently becomes BIGINT), and the schema when one is configured.
func (t *Target) hints(extra map[string]string) map[string]string {
	h := map[string]string{HintTypeSystem2: "true", HintDecimal2: "true"}
	if t.cfg.Schema != "" {
		h["odps.namespace.schema"] = "true"
		h["odps.default.schema"] = t.cfg.Schema
	}
	maps.Copy(h, extra)
	return h
}

// Query runs one SELECT with odps.sql.timezone set to Config.TimeZone and
// returns the instance result. Values are the service's text; NULL is nil.
// The service writes NULL as \N in a result's CSV and the empty string as
// an empty field, so a string whose value is exactly \N reads as NULL. A
// result holds at most 10,000 rows, the service's limit.
func (t *Target) Query(ctx context.Context, sql string) (*provider.Result, error) {
	sql = strings.TrimSpace(sql)
	if !strings.HasSuffix(sql, ";") {
		sql += ";"
	}
	out, err := t.exec(ctx, sql, t.hints(map[string]string{HintTimeZone: t.cfg.TimeZone}))
	if err != nil {
		return nil, fmt.Errorf("query: %w", err)
	}
	res, err := parseResult(out)
	if err != nil {
		return nil, fmt.Errorf("query: %w", err)
	}
	return res, nil
}
