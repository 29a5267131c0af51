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
const redacted = "(sensitive)"

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

// unloadSQL builds the UNLOAD statement; with redact set the access keys
// are replaced by "(sensitive)".
func (s *Source) unloadSQL(req provider.UnloadRequest, redact bool) (string, error) {
	if !strings.HasPrefix(req.DataURL, "s3://") || !strings.HasSuffix(req.DataURL, "/") {
		return "", fmt.Errorf("data URL %q must be an s3:// folder ending in /", req.DataURL)
	}
	if strings.TrimSpace(req.Select) == "" {
		return "", errors.New("empty SELECT")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "UNLOAD (%s)\nTO %s\n", quoteSelect(req.Select), quoteLiteral(req.DataURL))
	switch {
	case s.cfg.UnloadRole == "default":
		b.WriteString("IAM_ROLE default\n")
	case s.cfg.UnloadRole != "":
		fmt.Fprintf(&b, "IAM_ROLE %s\n", quoteLiteral(s.cfg.UnloadRole))
	case s.cfg.AccessKeyID != "" && s.cfg.SecretAccessKey != "":
		key, secret, token := s.cfg.AccessKeyID, s.cfg.SecretAccessKey, s.cfg.SessionToken
		if redact {
			key, secret, token = redacted, redacted, redacted
		}
		fmt.Fprintf(&b, "ACCESS_KEY_ID %s SECRET_ACCESS_KEY %s", quoteLiteral(key), quoteLiteral(secret))
		if s.cfg.SessionToken != "" {
			fmt.Fprintf(&b, " SESSION_TOKEN %s", quoteLiteral(token))
		}
		b.WriteString("\n")
	default:
		return "", errors.New("no UNLOAD authorization: set the unload role or an access key pair")
	}
	b.WriteString("FORMAT AS PARQUET\nMANIFEST VERBOSE")
	if mb := fileSizeMB(req.MaxFileSize); mb > 0 {
		fmt.Fprintf(&b, "\nMAXFILESIZE %d MB", mb)
	}
	return b.String(), nil
}

// UnloadSQL returns the UNLOAD statement Unload would run for req, with
// access keys redacted, for plans and logs.
func (s *Source) UnloadSQL(req provider.UnloadRequest) (string, error) {
	return s.unloadSQL(req, true)
}

// Unload runs UNLOAD into req.DataURL, then moves the manifest Redshift
// wrote at DataURL+"manifest" to req.ManifestURL and returns it. It is
// not retried: a failed UNLOAD may leave files, and the caller never
// reuses that location.
func (s *Source) Unload(ctx context.Context, req provider.UnloadRequest) (*provider.Manifest, error) {
	m, err := s.unload(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("unload %s: %w", req.Table, s.scrub(err))
	}
	return m, nil
}

func (s *Source) unload(ctx context.Context, req provider.UnloadRequest) (*provider.Manifest, error) {
	if s.cfg.S3 == nil {
		return nil, errors.New("no S3 object store configured to read the manifest")
	}
	if req.ManifestURL == "" || strings.HasPrefix(req.ManifestURL, req.DataURL) {
		return nil, fmt.Errorf("manifest URL %q must lie outside the data folder %s, which a load reads entirely", req.ManifestURL, req.DataURL)
	}
	stmt, err := s.unloadSQL(req, false)
	if err != nil {
		return nil, err
	}
	err = s.withConn(ctx, false, func(c *pgx.Conn) error {
		_, err := c.Exec(ctx, stmt, pgx.QueryExecModeSimpleProtocol)
		return err
	})
	if err != nil {
		return nil, err
	}
	written := req.DataURL + "manifest"
	body, err := s.cfg.S3.Get(ctx, written)
	if err != nil {
		return nil, fmt.Errorf("read the manifest UNLOAD wrote: %w", err)
	}
	var m provider.Manifest
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, fmt.Errorf("decode manifest %s: %w", written, err)
	}
	if err := s.cfg.S3.Put(ctx, req.ManifestURL, body); err != nil {
		return nil, fmt.Errorf("move manifest: %w", err)
	}
	if err := s.cfg.S3.Delete(ctx, written); err != nil {
		return nil, fmt.Errorf("move manifest: %w", err)
	}
	return &m, nil
}
