package local

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/ferry-dev/ferry/provider"
)

// Unload writes the result of req.Select as Parquet files under
// req.DataURL, named as Redshift names them ("0000_part_00.parquet",
// "0000_part_01.parquet", …, one file unless req.MaxFileSize splits the
// output), and a MANIFEST VERBOSE style manifest at req.ManifestURL. Both
// URLs must be file:// URLs, and the manifest must lie outside the data
// folder. Like UNLOAD without ALLOWOVERWRITE it fails when the data folder
// already holds files. A SELECT returning no rows writes one valid Parquet
// file with the schema and no rows, listed in the manifest with
// record_count 0, so that a later load still checks the column types.
//
// With req.PartitionBy the rows go to Hive folders <col>=<value>/ under
// the data folder, nested in the listed order, with the partition
// columns left out of the files, as Redshift's PARTITION BY without
// INCLUDE writes them: a NULL key is written __HIVE_DEFAULT_PARTITION__,
// values have every byte other than letters, digits and -_. percent-
// encoded, and each folder holds its own 0000_part_NN.parquet files. The
// partition columns must be SELECT columns of a type Redshift accepts as
// a key, and one other column at least must remain. A SELECT returning no
// rows writes no folder and an empty manifest.
func (s *Source) Unload(ctx context.Context, req provider.UnloadRequest) (*provider.Manifest, error) {
	m, err := s.unload(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("unload %s: %w", req.Table, err)
	}
	return m, nil
}

func (s *Source) unload(ctx context.Context, req provider.UnloadRequest) (*provider.Manifest, error) {
	dataDir, err := filePath(req.DataURL)
	if err != nil {
		return nil, err
	}
	manifestPath, err := filePath(req.ManifestURL)
	if err != nil {
		return nil, err
	}
	if strings.HasPrefix(manifestPath, dataDir+string(filepath.Separator)) {
		return nil, fmt.Errorf("manifest %s lies inside the data folder %s, which a load reads entirely", req.ManifestURL, req.DataURL)
	}
	if files, err := listFiles(dataDir); err != nil {
		return nil, err
	} else if len(files) > 0 {
		return nil, fmt.Errorf("data folder %s already holds %d files (unload never overwrites)", req.DataURL, len(files))
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return nil, err
	}
	var files []string
	if len(req.PartitionBy) > 0 {
		files, err = s.partitionedParquet(ctx, req.Select, dataDir, req.PartitionBy, req.MaxFileSize)
	} else {
		files, err = s.copyParquet(ctx, req.Select, dataDir, req.MaxFileSize)
	}
	if err != nil {
		return nil, err
	}
	m, err := s.describeFiles(ctx, files)
	if err != nil {
		return nil, err
	}
	if err := writeManifest(manifestPath, m); err != nil {
		return nil, err
	}
	return m, nil
}

// copyParquet runs COPY … TO and returns the data files it wrote, renamed
// to the Redshift pattern and in order.
func (s *Source) copyParquet(ctx context.Context, sel, dir string, maxSize int64) ([]string, error) {
	sel = strings.TrimRight(strings.TrimSpace(sel), ";")
	if maxSize <= 0 {
		name := filepath.Join(dir, partName(0))
		q := fmt.Sprintf("COPY (%s) TO %s (FORMAT PARQUET, COMPRESSION SNAPPY)", sel, quoteString(name))
		if _, err := s.h.db.ExecContext(ctx, q); err != nil {
			return nil, err
		}
		return []string{name}, nil
	}
	// DuckDB starts a new file once the current one passes FILE_SIZE_BYTES,
	// checked after each row group: stop one row group early so that files
	// stay near or below maxSize (row groups are bounded before compression).
	group := max(maxSize/8, 64<<10)
	q := fmt.Sprintf("COPY (%s) TO %s (FORMAT PARQUET, COMPRESSION SNAPPY, FILE_SIZE_BYTES %d, ROW_GROUP_SIZE_BYTES %d, FILENAME_PATTERN 'ferry_{i}')",
		sel, quoteString(dir), max(maxSize-group, 1), group)
	if err := execUnordered(ctx, s.h.db, q); err != nil {
		return nil, err
	}
	written, err := listFiles(dir)
	if err != nil {
		return nil, err
	}
	sort.Slice(written, func(i, j int) bool { return fileIndex(written[i]) < fileIndex(written[j]) })
	out := make([]string, len(written))
	for i, p := range written {
		out[i] = filepath.Join(dir, partName(i))
		if err := os.Rename(p, out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// execUnordered runs q. Every connection of a local database runs with
// insertion order not preserved (see openDB), which DuckDB needs to bound
// row groups by bytes and so files by size; rows of an unload have no
// order anyway, as in Redshift. (A per-unload SET/RESET would race: the
// setting is global to the database instance.)
func execUnordered(ctx context.Context, db *sql.DB, q string) error {
	_, err := db.ExecContext(ctx, q)
	return err
}

// partName is the name of the i-th file one Redshift slice writes.
func partName(i int) string { return fmt.Sprintf("0000_part_%02d.parquet", i) }

// describeFiles builds the manifest of the files: record counts from the
// Parquet footers, sizes from the file system.
func (s *Source) describeFiles(ctx context.Context, files []string) (*provider.Manifest, error) {
	m := &provider.Manifest{Entries: []provider.ManifestEntry{}}
	if len(files) == 0 {
		return m, nil
	}
	rows, err := s.h.db.QueryContext(ctx, fmt.Sprintf(
		"SELECT file_name, num_rows FROM parquet_file_metadata(%s)", sqlList(files)))
	if err != nil {
		return nil, fmt.Errorf("read parquet footers: %w", err)
	}
	defer rows.Close()
	counts := map[string]int64{}
	for rows.Next() {
		var name string
		var n int64
		if err := rows.Scan(&name, &n); err != nil {
			return nil, err
		}
		counts[name] = n
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, f := range files {
		info, err := os.Stat(f)
		if err != nil {
			return nil, err
		}
		n, ok := counts[f]
		if !ok {
			return nil, fmt.Errorf("no footer read for %s", f)
		}
		e := provider.ManifestEntry{URL: fileURL(f), Meta: provider.ManifestMeta{ContentLength: info.Size(), RecordCount: n}}
		m.Entries = append(m.Entries, e)
		m.Meta.ContentLength += e.Meta.ContentLength
		m.Meta.RecordCount += e.Meta.RecordCount
	}
	return m, nil
}

// writeManifest writes m as JSON at path through a temporary file.
func writeManifest(path string, m *provider.Manifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp := path + tempMarker + strconv.Itoa(os.Getpid())
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// filePath returns the local path of a file:// URL, without a trailing
// separator. The path is taken literally, as Bucket.URL and fileURL write
// it: a partition folder "k=a%20b" stays "k=a%20b", not "k=a b".
func filePath(raw string) (string, error) {
	rest, ok := strings.CutPrefix(raw, "file://")
	if ok {
		rest = strings.TrimPrefix(rest, "localhost")
	}
	if !ok || !strings.HasPrefix(rest, "/") {
		return "", fmt.Errorf("URL %q: the local provider reads and writes only file:// URLs", raw)
	}
	return filepath.Clean(filepath.FromSlash(rest)), nil
}

// fileURL is the file:// URL of a local path.
func fileURL(p string) string { return "file://" + filepath.ToSlash(p) }

// listFiles returns every regular file under dir, sorted; a missing dir
// has none.
func listFiles(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if !d.IsDir() {
			out = append(out, p)
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}

// sqlList renders strings as a DuckDB list literal.
func sqlList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = quoteString(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}
