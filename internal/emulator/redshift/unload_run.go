package redshift

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"

	"github.com/jackc/pgx/v5/pgproto3"
)

// manifestEntry and manifest are the MANIFEST [VERBOSE] document.
type manifestEntry struct {
	URL  string        `json:"url"`
	Meta *manifestMeta `json:"meta,omitempty"`
}

type manifestMeta struct {
	ContentLength int64 `json:"content_length"`
	RecordCount   int64 `json:"record_count"`
}

type manifest struct {
	Entries []manifestEntry `json:"entries"`
	Schema  *struct {
		Elements []map[string]any `json:"elements"`
	} `json:"schema,omitempty"`
	Meta   *manifestMeta     `json:"meta,omitempty"`
	Author map[string]string `json:"author,omitempty"`
}

// unload runs an UNLOAD statement: checks the destination, runs the
// SELECT in this session, writes the Parquet files (in key=value/ folders
// under the prefix with PARTITION BY) and the manifest, and
// reports the row count as Redshift does (an INFO notice, then the
// UNLOAD command tag; pg_last_unload_count() returns it afterwards).
func (s *session) unload(sql string) error {
	u, err := ParseUnload(sql)
	if err != nil {
		return err
	}
	store := s.front.opts.Store
	if store == nil {
		return &sqlError{Code: "XX000", Message: "S3ServiceException: no object store is configured for this cluster"}
	}
	ctx := context.Background()
	partitioned := len(u.PartitionBy) > 0
	manifestKey := u.Prefix + "manifest"
	if partitioned {
		manifestKey = partitionRoot(u.Prefix) + "manifest"
	}
	existing, err := store.List(ctx, u.Bucket, u.Prefix)
	if err != nil {
		return &sqlError{Code: "XX000", Message: err.Error()}
	}
	if len(existing) > 0 {
		switch {
		case u.CleanPath && partitioned:
			// Only the folders about to be written are cleaned, once known.
		case u.CleanPath:
			if err := store.Delete(ctx, u.Bucket, existing); err != nil {
				return &sqlError{Code: "XX000", Message: err.Error()}
			}
		case !u.AllowOverwrite:
			return &sqlError{Code: "XX000", Message: "Specified unload destination on S3 is not empty. Consider using a different bucket / prefix, manually removing the target files in S3, or using the ALLOWOVERWRITE option."}
		}
	}
	var cols []column
	var keys []int
	var w *partWriter
	defer func() {
		if w != nil {
			w.close()
		}
	}()
	err = s.upstreamQuery(ctx, u.Select,
		func(fields []pgproto3.FieldDescription) error {
			var err error
			if cols, err = newColumns(fields); err != nil {
				return err
			}
			if partitioned {
				if keys, err = partitionKeys(u, cols); err != nil {
					return err
				}
			}
			w, err = newPartWriter(ctx, cols)
			return err
		},
		func(values [][]byte) error { return w.add(values) })
	if err != nil {
		return err
	}
	if w == nil {
		return &sqlError{Code: "42601", Message: "the UNLOAD query returned no result set"}
	}
	var m *manifest
	if partitioned {
		m, err = s.writePartitioned(ctx, u, w, keys, existing)
	} else {
		m, err = s.writeFiles(ctx, u, w)
	}
	if err != nil {
		return err
	}
	if u.Manifest {
		if !u.Verbose {
			for i := range m.Entries {
				m.Entries[i].Meta = nil
			}
			m.Schema, m.Meta, m.Author = nil, nil, nil
		}
		body, err := json.Marshal(m)
		if err != nil {
			return err
		}
		if err := store.Put(ctx, u.Bucket, manifestKey, body); err != nil {
			return &sqlError{Code: "XX000", Message: err.Error()}
		}
	}
	rows := strconv.FormatInt(w.rows, 10)
	if err := s.upstreamQuery(ctx, "SELECT pg_catalog.set_config('ferry.last_unload_count', '"+rows+"', false)", nil, nil); err != nil {
		return err
	}
	s.be.Send(&pgproto3.NoticeResponse{Severity: "INFO", SeverityUnlocalized: "INFO", Code: "00000",
		Message: "UNLOAD completed, " + rows + " record(s) unloaded successfully."})
	s.be.Send(&pgproto3.CommandComplete{CommandTag: []byte("UNLOAD")})
	return nil
}

// writeFiles writes the staged rows as Parquet files named as Redshift
// names them, stores them, and returns the VERBOSE manifest.
func (s *session) writeFiles(ctx context.Context, u *Unload, w *partWriter) (*manifest, error) {
	dir, err := os.MkdirTemp("", "ferry-unload-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	files, err := w.write(ctx, dir, s.fileLimit(u))
	if err != nil {
		return nil, err
	}
	m := newManifest(w.cols, nil)
	if err := s.putFiles(ctx, u, w, u.Prefix, files, m); err != nil {
		return nil, err
	}
	return m, nil
}

// fileLimit is the MAXFILESIZE of u in bytes (6.2 GB by default).
func (s *session) fileLimit(u *Unload) int64 {
	limit := int64(u.MaxFileSize * float64(s.front.opts.MB))
	if limit <= 0 {
		limit = int64(6.2 * 1024 * float64(s.front.opts.MB))
	}
	return limit
}

// newManifest starts the VERBOSE manifest of files holding the columns
// not in skip.
func newManifest(cols []column, skip map[int]bool) *manifest {
	m := &manifest{Entries: []manifestEntry{}, Meta: &manifestMeta{}, Author: map[string]string{"name": "Amazon Redshift", "version": "1.0.0"}}
	m.Schema = &struct {
		Elements []map[string]any `json:"elements"`
	}{}
	for i := range cols {
		if !skip[i] {
			m.Schema.Elements = append(m.Schema.Elements, cols[i].schemaElement())
		}
	}
	return m
}

// putFiles stores the written files under keyPrefix, named as Redshift
// names them (0000_part_00.parquet, … or 000.parquet, … with PARALLEL
// OFF), and adds them to the manifest.
func (s *session) putFiles(ctx context.Context, u *Unload, w *partWriter, keyPrefix string, files []string, m *manifest) error {
	counts, err := w.rowCounts(ctx, files)
	if err != nil {
		return err
	}
	for i, f := range files {
		body, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		key := keyPrefix + fmt.Sprintf("0000_part_%02d.parquet", i)
		if !u.Parallel {
			key = keyPrefix + fmt.Sprintf("%03d.parquet", i)
		}
		if err := s.front.opts.Store.Put(ctx, u.Bucket, key, body); err != nil {
			return &sqlError{Code: "XX000", Message: err.Error()}
		}
		meta := &manifestMeta{ContentLength: int64(len(body)), RecordCount: counts[i]}
		m.Entries = append(m.Entries, manifestEntry{URL: "s3://" + u.Bucket + "/" + key, Meta: meta})
		m.Meta.ContentLength += meta.ContentLength
		m.Meta.RecordCount += meta.RecordCount
	}
	return nil
}
