package redshift

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/ferry-dev/ferry/provider"
	"github.com/jackc/pgx/v5"
)

// Redshift's MAXFILESIZE bounds, in MB.
const (
	minFileSizeMB = 5
	maxFileSizeMB = 6348 // 6.2 GB
)

// redacted stands in for secrets in statements shown to people.
const redacted = provider.Redacted

// quoteSelect embeds sel in an UNLOAD as a string literal: every ' is
// doubled and every \ is doubled, since Redshift string literals treat
// backslash as an escape.
func quoteSelect(sel string) string {
	sel = strings.TrimRight(strings.TrimSpace(sel), ";")
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `''`).Replace(sel) + "'"
}

// quoteLiteral quotes a plain string value (URL, ARN, key).
func quoteLiteral(v string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `''`).Replace(v) + "'"
}

// fileSizeMB turns a byte bound into a MAXFILESIZE in whole MB within
// Redshift's limits (0: the engine default).
func fileSizeMB(bytes int64) int64 {
	if bytes <= 0 {
		return 0
	}
	return min(max(bytes>>20, minFileSizeMB), maxFileSizeMB)
}

// UnloadOptions are UNLOAD options an UnloadRequest does not carry.
type UnloadOptions struct {
	// ParallelOff writes the files one after another (PARALLEL OFF),
	// named <prefix>000.parquet, <prefix>001.parquet, …
	ParallelOff bool
	// PartitionBy writes Hive-style key=value/ folders under DataURL.
	// The partition columns are left out of the files (no INCLUDE), as a
	// MaxCompute LOAD into a partitioned table needs. An UnloadRequest's
	// own PartitionBy takes precedence.
	PartitionBy []string
}

// UnloadResult is what UnloadDetailed reports.
type UnloadResult struct {
	Manifest *provider.Manifest
	// Footer holds the column types of the first data file, read from its
	// Parquet footer.
	Footer *FooterTypes
	// Statement is the UNLOAD that ran, secrets redacted.
	Statement string
}

// DetailedUnloader is the optional capability of a Redshift source to
// report what an unload wrote beyond the manifest. Source and DataSource
// implement it.
type DetailedUnloader interface {
	// UnloadDetailed is Unload with extra options; it also reads the
	// Parquet footer of the first data file. Errors are Unload's, or a
	// footer that cannot be read.
	UnloadDetailed(ctx context.Context, req provider.UnloadRequest, opts UnloadOptions) (*UnloadResult, error)
}

var (
	_ DetailedUnloader = (*Source)(nil)
	_ DetailedUnloader = (*DataSource)(nil)
)

// unloadSQL builds the UNLOAD statement; with redact set the access keys
// are replaced by "(sensitive)".
func unloadSQL(cfg Config, req provider.UnloadRequest, opts UnloadOptions, redact bool) (string, error) {
	if !strings.HasPrefix(req.DataURL, "s3://") || !strings.HasSuffix(req.DataURL, "/") {
		return "", fmt.Errorf("data URL %q must be an s3:// folder ending in /", req.DataURL)
	}
	if strings.TrimSpace(req.Select) == "" {
		return "", errors.New("empty SELECT")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "UNLOAD (%s)\nTO %s\n", quoteSelect(req.Select), quoteLiteral(req.DataURL))
	switch {
	case cfg.UnloadRole == "default":
		b.WriteString("IAM_ROLE default\n")
	case cfg.UnloadRole != "":
		fmt.Fprintf(&b, "IAM_ROLE %s\n", quoteLiteral(cfg.UnloadRole))
	case cfg.AccessKeyID != "" && cfg.SecretAccessKey != "":
		key, secret, token := cfg.AccessKeyID, cfg.SecretAccessKey, cfg.SessionToken
		if redact {
			key, secret, token = redacted, redacted, redacted
		}
		fmt.Fprintf(&b, "ACCESS_KEY_ID %s SECRET_ACCESS_KEY %s", quoteLiteral(key), quoteLiteral(secret))
		if cfg.SessionToken != "" {
			fmt.Fprintf(&b, " SESSION_TOKEN %s", quoteLiteral(token))
		}
		b.WriteString("\n")
	default:
		return "", errors.New("no UNLOAD authorization: set the unload role or an access key pair")
	}
	b.WriteString("FORMAT AS PARQUET\nMANIFEST VERBOSE")
	if keys := partitionBy(req, opts); len(keys) > 0 {
		cols := make([]string, len(keys))
		for i, c := range keys {
			cols[i] = quoteIdent(c)
		}
		fmt.Fprintf(&b, "\nPARTITION BY (%s)", strings.Join(cols, ", "))
	}
	if opts.ParallelOff {
		b.WriteString("\nPARALLEL OFF")
	}
	if mb := fileSizeMB(req.MaxFileSize); mb > 0 {
		fmt.Fprintf(&b, "\nMAXFILESIZE %d MB", mb)
	}
	return b.String(), nil
}

// partitionBy is the request's partition columns, or the options' when the
// request names none.
func partitionBy(req provider.UnloadRequest, opts UnloadOptions) []string {
	if len(req.PartitionBy) > 0 {
		return req.PartitionBy
	}
	return opts.PartitionBy
}

// UnloadSQL returns the UNLOAD statement Unload would run for req, with
// access keys redacted, for plans and logs.
func (s *Source) UnloadSQL(req provider.UnloadRequest) (string, error) {
	return unloadSQL(s.cfg, req, s.cfg.Unload, true)
}

// Unload runs UNLOAD into req.DataURL, then moves the manifest Redshift
// wrote at DataURL+"manifest" to req.ManifestURL and returns it. With
// req.PartitionBy the UNLOAD has PARTITION BY (cols) without INCLUDE:
// Redshift writes the key=value/ folders under DataURL and still one
// manifest at its root, listing every file. It is
// not retried: a failed UNLOAD may leave files, and the caller never
// reuses that location.
func (s *Source) Unload(ctx context.Context, req provider.UnloadRequest) (*provider.Manifest, error) {
	res, err := runUnload(ctx, s.cfg, req, s.cfg.Unload, false, s.exec, s.scrub)
	if err != nil {
		return nil, err
	}
	return res.Manifest, nil
}

// UnloadDetailed implements DetailedUnloader.
func (s *Source) UnloadDetailed(ctx context.Context, req provider.UnloadRequest, opts UnloadOptions) (*UnloadResult, error) {
	return runUnload(ctx, s.cfg, req, opts, true, s.exec, s.scrub)
}

// exec runs one statement without retrying it.
func (s *Source) exec(ctx context.Context, stmt string) error {
	return s.withConn(ctx, false, func(c *pgx.Conn) error {
		_, err := c.Exec(ctx, stmt, pgx.QueryExecModeSimpleProtocol)
		return err
	})
}

// runUnload runs UNLOAD through exec, moves the manifest out of the data
// folder and, when footer is set, reads the first file's Parquet footer.
// Every error goes through scrub.
func runUnload(ctx context.Context, cfg Config, req provider.UnloadRequest, opts UnloadOptions, footer bool,
	exec func(context.Context, string) error, scrub func(error) error) (*UnloadResult, error) {
	res, err := unload(ctx, cfg, req, opts, footer, exec)
	if err != nil {
		return nil, fmt.Errorf("unload %s: %w", req.Table, scrub(err))
	}
	return res, nil
}

func unload(ctx context.Context, cfg Config, req provider.UnloadRequest, opts UnloadOptions, footer bool,
	exec func(context.Context, string) error) (*UnloadResult, error) {
	if cfg.S3 == nil {
		return nil, errors.New("no S3 object store configured to read the manifest")
	}
	if req.ManifestURL == "" || strings.HasPrefix(req.ManifestURL, req.DataURL) {
		return nil, fmt.Errorf("manifest URL %q must lie outside the data folder %s, which a load reads entirely", req.ManifestURL, req.DataURL)
	}
	stmt, err := unloadSQL(cfg, req, opts, false)
	if err != nil {
		return nil, err
	}
	shown, _ := unloadSQL(cfg, req, opts, true)
	if err := exec(ctx, stmt); err != nil {
		return nil, err
	}
	written := req.DataURL + "manifest"
	body, err := cfg.S3.Get(ctx, written)
	if err != nil {
		return nil, fmt.Errorf("read the manifest UNLOAD wrote: %w", err)
	}
	var m provider.Manifest
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, fmt.Errorf("decode manifest %s: %w", written, err)
	}
	if err := cfg.S3.Put(ctx, req.ManifestURL, body); err != nil {
		return nil, fmt.Errorf("move manifest: %w", err)
	}
	if err := cfg.S3.Delete(ctx, written); err != nil {
		return nil, fmt.Errorf("move manifest: %w", err)
	}
	res := &UnloadResult{Manifest: &m, Statement: shown}
	if footer && len(m.Entries) > 0 {
		if res.Footer, err = ReadFooter(ctx, cfg.S3, m.Entries[0].URL); err != nil {
			return nil, err
		}
	}
	return res, nil
}
