package connect

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/ferry-dev/ferry/config"
	"github.com/ferry-dev/ferry/planner"
	"github.com/ferry-dev/ferry/provider"
	"github.com/ferry-dev/ferry/provider/local"
	"github.com/ferry-dev/ferry/provider/maxcompute"
	"github.com/ferry-dev/ferry/provider/oss"
	"github.com/ferry-dev/ferry/provider/redshift"
	"github.com/ferry-dev/ferry/provider/s3"
	"github.com/ferry-dev/ferry/provider/stream"
)

// Registry opens providers on first use and keeps them until Close.
type Registry struct {
	cfg *config.Config
	// Logf receives providers' notes (such as a MaxCompute Logview URL);
	// nil discards them.
	Logf func(format string, args ...any)
	// mu guards the maps; opening holds only the address's own lock
	// (addrLock), so a plan opens its source, buckets and target at the
	// same time.
	mu      sync.Mutex
	opening map[string]*sync.Mutex
	// prefetched holds the failure of a Prefetch open, returned once by
	// the next call for that address instead of trying again.
	prefetched  map[string]error
	prefetching sync.WaitGroup
	// opened holds every opened provider by address.
	opened map[string]any
}

var _ planner.Providers = (*Registry)(nil)

// New returns a registry for cfg's providers.
func New(cfg *config.Config) *Registry {
	return &Registry{cfg: cfg, opening: map[string]*sync.Mutex{}, prefetched: map[string]error{}, opened: map[string]any{}}
}

func (r *Registry) path(p *config.Provider, attr string) string {
	v := p.String(attr, "")
	if v == "" || filepath.IsAbs(v) {
		return v
	}
	return filepath.Join(r.cfg.Dir, v)
}

func number(p *config.Provider, attr string) float64 {
	v, ok := p.Attrs[attr]
	if !ok || v.Value.IsNull() || v.Value.Type() != cty.Number {
		return 0
	}
	f, _ := v.Value.AsBigFloat().Float64()
	return f
}

func (r *Registry) logf(format string, args ...any) {
	if r.Logf != nil {
		r.Logf(format, args...)
	}
}

// addrLock locks one provider address while it is opened and returns the
// unlock.
func (r *Registry) addrLock(addr string) func() {
	r.mu.Lock()
	m := r.opening[addr]
	if m == nil {
		m = &sync.Mutex{}
		r.opening[addr] = m
	}
	r.mu.Unlock()
	m.Lock()
	return m.Unlock
}

// cached returns the opened provider of addr, or the failure of its
// prefetch (once), with the address lock held by the caller.
func (r *Registry) cached(addr string) (opened any, err error, ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err, ok := r.prefetched[addr]; ok {
		delete(r.prefetched, addr)
		return nil, err, true
	}
	o, ok := r.opened[addr]
	return o, nil, ok
}

// get returns the provider at addr, opening it with open on first use.
// Opens of different addresses run at the same time; a second caller for
// one address waits for the first.
func get[T any](r *Registry, ctx context.Context, addr string, open func(context.Context, string) (T, error)) (T, error) {
	defer r.addrLock(addr)()
	var zero T
	if o, err, ok := r.cached(addr); ok {
		if err != nil {
			return zero, err
		}
		return o.(T), nil
	}
	o, err := open(ctx, addr)
	if err != nil {
		return zero, fmt.Errorf("open %s: %w", addr, err)
	}
	r.mu.Lock()
	r.opened[addr] = o
	r.mu.Unlock()
	return o, nil
}

// Prefetch starts opening, in the background, every source, bucket and
// target a migration uses, so that they open while the caller reads the
// state (a DuckDB file of thousands of tables takes a while to open). The
// first Source, Bucket or Target call for an address waits for its open;
// a failed open is returned by that call rather than tried twice.
func (r *Registry) Prefetch(ctx context.Context) {
	seen := map[string]bool{}
	for _, m := range r.cfg.Migrations {
		for i, addr := range append([]string{m.From, m.To}, m.Via...) {
			if seen[addr] {
				continue
			}
			seen[addr] = true
			// The address lock is taken before Prefetch returns, so no
			// caller overtakes the prefetch and opens the address twice.
			unlock := r.addrLock(addr)
			r.prefetching.Add(1)
			go func() {
				defer r.prefetching.Done()
				defer unlock()
				var o any
				var err error
				switch i {
				case 0:
					o, err = r.openSource(ctx, addr)
				case 1:
					o, err = r.openTarget(ctx, addr)
				default:
					o, err = r.openBucket(ctx, addr)
				}
				r.mu.Lock()
				defer r.mu.Unlock()
				if err != nil {
					r.prefetched[addr] = fmt.Errorf("open %s: %w", addr, err)
					return
				}
				r.opened[addr] = o
			}()
		}
	}
}

// Source opens the source at addr.
func (r *Registry) Source(ctx context.Context, addr string) (provider.Source, error) {
	return get(r, ctx, addr, r.openSource)
}

// Bucket opens the bucket at addr.
func (r *Registry) Bucket(ctx context.Context, addr string) (provider.Bucket, error) {
	return get(r, ctx, addr, r.openBucket)
}

// Target opens the target at addr.
func (r *Registry) Target(ctx context.Context, addr string) (provider.Target, error) {
	return get(r, ctx, addr, r.openTarget)
}

func (r *Registry) openSource(ctx context.Context, addr string) (provider.Source, error) {
	p, ok := r.cfg.Sources[addr]
	if !ok {
		return nil, fmt.Errorf("no %s in the configuration", addr)
	}
	var s provider.Source
	var err error
	switch p.Kind {
	case "duckdb":
		if err = os.MkdirAll(filepath.Dir(r.path(p, "path")), 0o755); err != nil {
			break
		}
		s, err = local.OpenSource(r.path(p, "path"), number(p, "tpch_scale"))
	case "redshift":
		s, err = redshift.Open(ctx, RedshiftConfig(p, bucketObjects{reg: r}))
	default:
		err = fmt.Errorf("source kind %q is not available in this build", p.Kind)
	}
	return s, err
}

func (r *Registry) openBucket(ctx context.Context, addr string) (provider.Bucket, error) {
	p, ok := r.cfg.Buckets[addr]
	if !ok {
		return nil, fmt.Errorf("no %s in the configuration", addr)
	}
	var b provider.Bucket
	var err error
	switch p.Kind {
	case "local":
		// The planner puts the configured prefix into every key, so the
		// providers get none.
		b, err = local.NewBucket(r.path(p, "path"), "")
	case "oss":
		b, err = oss.New(ctx, oss.Config{
			Bucket: p.String("bucket", ""), Endpoint: p.String("endpoint", ""), Region: p.String("region", ""),
			InternalEndpoint: p.String("internal_endpoint", ""), AccessKeyID: p.String("access_key_id", ""),
			AccessKeySecret: p.String("access_key_secret", ""), SecurityToken: p.String("security_token", ""),
			RoleArn: p.String("role_arn", ""),
		})
	case "s3":
		b, err = s3.New(ctx, s3.Config{
			Bucket: p.String("bucket", ""), Region: p.String("region", ""), Endpoint: p.String("endpoint", ""),
			PathStyle: p.Bool("path_style", false), AccessKey: p.String("access_key", ""),
			SecretKey: p.String("secret_key", ""), Profile: p.String("profile", ""),
		})
	default:
		err = fmt.Errorf("bucket kind %q is not available in this build", p.Kind)
	}
	return b, err
}

func (r *Registry) openTarget(ctx context.Context, addr string) (provider.Target, error) {
	p, ok := r.cfg.Targets[addr]
	if !ok {
		return nil, fmt.Errorf("no %s in the configuration", addr)
	}
	var t provider.Target
	var err error
	switch p.Kind {
	case "duckdb":
		if err = os.MkdirAll(filepath.Dir(r.path(p, "path")), 0o755); err != nil {
			break
		}
		t, err = local.OpenTarget(r.path(p, "path"))
	case "maxcompute":
		t, err = maxcompute.New(ctx, maxcompute.Config{
			Endpoint: p.String("endpoint", ""), Project: p.String("project", ""), Schema: p.String("schema", ""),
			LoadRoleArn: p.String("load_role_arn", ""), AccessKeyID: p.String("access_key_id", ""),
			AccessKeySecret: p.String("access_key_secret", ""), SecurityToken: p.String("security_token", ""),
			Region: p.String("region", ""), TimeZone: p.String("timezone", ""), Lifecycle: int(p.Int("lifecycle", 0)),
			Logf: r.logf,
		})
	default:
		err = fmt.Errorf("target kind %q is not available in this build", p.Kind)
	}
	return t, err
}

// Copier returns the copy engine for a migration's copy settings. opts
// are the non-secret settings the plan recorded; secrets (keys for Data
// Online Migration) are read from the configuration itself.
func (r *Registry) Copier(migration, engine string, opts map[string]string) (provider.Copier, error) {
	switch engine {
	case "online_migration":
		return r.onlineMigration(migration, opts)
	case "", "stream":
		o := stream.Options{}
		var err error
		if o.Transfers, err = intOpt(opts, "transfers"); err != nil {
			return nil, err
		}
		ps, err := sizeOpt(opts, "part_size")
		if err != nil {
			return nil, err
		}
		o.PartSize = ps
		if o.BandwidthLimit, err = sizeOpt(opts, "bandwidth_limit"); err != nil {
			return nil, err
		}
		// Retry what the object stores call transient (by service code
		// and status), never a refusal such as 403.
		o.IsRetryable = func(err error) bool { return s3.IsRetryable(err) || oss.IsRetryable(err) }
		return stream.New(o), nil
	case "external":
		wait, err := durationOpt(opts, "wait", 0)
		if err != nil {
			return nil, err
		}
		poll, err := durationOpt(opts, "poll_interval", 10*time.Second)
		if err != nil {
			return nil, err
		}
		return externalCopier{wait: wait, poll: poll}, nil
	}
	return nil, fmt.Errorf("copy engine %q is not available in this build", engine)
}

func intOpt(opts map[string]string, k string) (int, error) {
	v, ok := opts[k]
	if !ok {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("copy option %s = %q: want a positive whole number", k, v)
	}
	return n, nil
}

// sizeOpt reads a byte size: a number of bytes or a number with a unit
// (KiB, MiB, GiB; KB, MB, GB taken as binary units too).
func sizeOpt(opts map[string]string, k string) (int64, error) {
	v, ok := opts[k]
	if !ok {
		return 0, nil
	}
	s := strings.ToUpper(strings.TrimSpace(v))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		m      int64
	}{{"GIB", 1 << 30}, {"MIB", 1 << 20}, {"KIB", 1 << 10}, {"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.m
			break
		}
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("copy option %s = %q: want a size such as 64MiB", k, v)
	}
	return int64(n * float64(mult)), nil
}

// Close closes every opened provider.
// It waits for prefetches still opening.
func (r *Registry) Close() error {
	r.prefetching.Wait()
	r.mu.Lock()
	defer r.mu.Unlock()
	addrs := make([]string, 0, len(r.opened))
	for a := range r.opened {
		addrs = append(addrs, a)
	}
	sort.Strings(addrs)
	// Closed at once: a DuckDB file of thousands of tables takes a while
	// to close, and each provider closes on its own.
	errs := make([]error, len(addrs))
	var wg sync.WaitGroup
	for i, a := range addrs {
		if c, ok := r.opened[a].(interface{ Close() error }); ok {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = c.Close()
			}()
		}
	}
	wg.Wait()
	r.opened = map[string]any{}
	return errors.Join(errs...)
}

// Secrets returns every sensitive value of the configuration, longest
// first, for redaction.
func Secrets(cfg *config.Config) []string {
	seen := map[string]bool{}
	add := func(v config.Value) {
		if v.Sensitive && !v.Value.IsNull() && v.Value.IsKnown() && v.Value.Type() == cty.String && v.Value.AsString() != "" {
			seen[v.Value.AsString()] = true
		}
	}
	for _, group := range []map[string]*config.Provider{cfg.Sources, cfg.Buckets, cfg.Targets} {
		for _, p := range group {
			for _, v := range p.Attrs {
				add(v)
			}
		}
	}
	for _, m := range cfg.Migrations {
		for _, v := range m.CopyOptions {
			add(v)
		}
	}
	if cfg.Backend != nil {
		for _, v := range cfg.Backend.Attrs {
			add(v)
		}
	}
	for _, v := range cfg.Variables {
		if v.Sensitive && v.Value != cty.NilVal && !v.Value.IsNull() && v.Value.Type() == cty.String && v.Value.AsString() != "" {
			seen[v.Value.AsString()] = true
		}
	}
	out := make([]string, 0, len(seen))
	for s := range seen {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

// Redactor returns a function replacing every secret with "(sensitive)".
func Redactor(secrets []string) func(string) string {
	if len(secrets) == 0 {
		return func(s string) string { return s }
	}
	pairs := make([]string, 0, 2*len(secrets))
	for _, s := range secrets {
		pairs = append(pairs, s, "(sensitive)")
	}
	rep := strings.NewReplacer(pairs...)
	return rep.Replace
}

// durationOpt reads a duration setting ("30m", "10s").
func durationOpt(opts map[string]string, k string, def time.Duration) (time.Duration, error) {
	v, ok := opts[k]
	if !ok {
		return def, nil
	}
	d, err := time.ParseDuration(strings.Trim(v, `"`))
	if err != nil || d < 0 {
		return 0, fmt.Errorf("copy option %s = %q: want a duration such as 30m", k, v)
	}
	return d, nil
}

// RedshiftConfig turns a source "redshift" block into the provider's
// configuration: password, IAM temporary credentials (iam_auth, with
// cluster_identifier or workgroup) or the Data API (data_api).
func RedshiftConfig(p *config.Provider, store redshift.ObjectStore) redshift.Config {
	cfg := redshift.Config{
		Host: p.String("host", ""), Port: int(p.Int("port", 5439)), Database: p.String("database", ""),
		User: p.String("user", ""), Password: p.String("password", ""), UnloadRole: p.String("unload_role", ""),
		SSLMode: p.String("sslmode", ""), S3: store,
		IAM: p.Bool("iam_auth", false), ClusterIdentifier: p.String("cluster_identifier", ""),
		WorkgroupName: p.String("workgroup", ""), Region: p.String("region", ""), DBUser: p.String("user", ""),
		AWSEndpoint: p.String("endpoint", ""),
	}
	if p.Bool("data_api", false) {
		cfg.DataAPI = &redshift.DataAPIConfig{
			Region: cfg.Region, ClusterIdentifier: cfg.ClusterIdentifier, WorkgroupName: cfg.WorkgroupName,
			Database: cfg.Database, DBUser: cfg.User, Endpoint: cfg.AWSEndpoint,
		}
	}
	return cfg
}
