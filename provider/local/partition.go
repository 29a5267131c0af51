package local

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// hiveNull is the folder value of a NULL partition key, as Redshift and
// Hive write it.
const hiveNull = "__HIVE_DEFAULT_PARTITION__"

// encodeHiveValue writes a partition value for a folder name: every byte
// other than an ASCII letter, digit, '-', '_' or '.' becomes %XX, so that
// no value can add a folder level, an '=' or a character an object store
// or MaxCompute treats specially.
func encodeHiveValue(v string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// decodeHiveValue reverses encodeHiveValue (and any other percent
// encoding of a folder value).
func decodeHiveValue(v string) (string, error) {
	return url.PathUnescape(v)
}

// redshiftKeyTypes are the DuckDB types of the column types Redshift
// accepts as PARTITION BY keys: SMALLINT, INTEGER, BIGINT, DECIMAL, REAL,
// BOOLEAN, CHAR, VARCHAR, DATE and TIMESTAMP.
var redshiftKeyTypes = map[string]bool{
	"SMALLINT": true, "INTEGER": true, "BIGINT": true, "DECIMAL": true, "FLOAT": true,
	"BOOLEAN": true, "VARCHAR": true, "DATE": true, "TIMESTAMP": true,
}

// checkPartitionBy checks the partition columns against the SELECT's
// output the way Redshift's UNLOAD … PARTITION BY does: each must be an
// output column of an allowed key type, and at least one other column
// must remain for the files.
func (s *Source) checkPartitionBy(ctx context.Context, sel string, keys []string) error {
	rows, err := s.h.db.QueryContext(ctx, "SELECT * FROM ("+sel+") LIMIT 0")
	if err != nil {
		return err
	}
	defer rows.Close()
	types, err := rows.ColumnTypes()
	if err != nil {
		return err
	}
	byName := map[string]string{}
	for _, t := range types {
		base, _, _ := strings.Cut(t.DatabaseTypeName(), "(")
		byName[strings.ToLower(t.Name())] = base
	}
	seen := map[string]bool{}
	for _, k := range keys {
		base, ok := byName[strings.ToLower(k)]
		switch {
		case !ok:
			return fmt.Errorf("partition column %q is not a column of the SELECT", k)
		case seen[strings.ToLower(k)]:
			return fmt.Errorf("partition column %q is listed twice", k)
		case !redshiftKeyTypes[base]:
			return fmt.Errorf("partition column %q has type %s, which cannot be a partition key", k, base)
		}
		seen[strings.ToLower(k)] = true
	}
	if len(types) <= len(keys) {
		return fmt.Errorf("at least one column must remain besides the partition columns")
	}
	return nil
}

// partitionedParquet writes the SELECT's rows as Hive folders
// <key>=<value>/ under dir, nested in the order of keys, without the key
// columns in the files, and returns the files in path order. DuckDB's
// partitioned COPY writes into a scratch folder beside dir; the folder
// values are then re-encoded to ferry's encoding (DuckDB escapes fewer
// characters) and the files renamed as Redshift names them, one
// 0000_part_NN.parquet sequence per folder. DuckDB cannot bound file
// sizes in a partitioned COPY, so a folder whose files pass maxSize is
// rewritten in files of about maxSize.
func (s *Source) partitionedParquet(ctx context.Context, sel, dir string, keys []string, maxSize int64) ([]string, error) {
	sel = strings.TrimRight(strings.TrimSpace(sel), ";")
	if err := s.checkPartitionBy(ctx, sel, keys); err != nil {
		return nil, err
	}
	scratch, err := os.MkdirTemp(filepath.Dir(dir), "."+filepath.Base(dir)+tempMarker+"partitions-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(scratch)
	quoted := make([]string, len(keys))
	for i, k := range keys {
		quoted[i] = quoteIdent(k)
	}
	q := fmt.Sprintf("COPY (%s) TO %s (FORMAT PARQUET, COMPRESSION SNAPPY, PARTITION_BY (%s), FILENAME_PATTERN 'ferry_{i}')",
		sel, quoteString(scratch), strings.Join(quoted, ", "))
	if err := execUnordered(ctx, s.h.db, q); err != nil {
		return nil, err
	}
	written, err := listFiles(scratch)
	if err != nil {
		return nil, err
	}
	folders := map[string][]string{} // re-encoded folder → scratch files
	for _, f := range written {
		rel, err := filepath.Rel(scratch, f)
		if err != nil {
			return nil, err
		}
		folder, err := reencodeFolder(filepath.ToSlash(rel), keys)
		if err != nil {
			return nil, err
		}
		folders[folder] = append(folders[folder], f)
	}
	var out []string
	for folder, files := range folders {
		dest := filepath.Join(dir, filepath.FromSlash(folder))
		if err := os.MkdirAll(dest, 0o755); err != nil {
			return nil, err
		}
		sort.Slice(files, func(i, j int) bool { return fileIndex(files[i]) < fileIndex(files[j]) })
		if maxSize > 0 && totalSize(files) > maxSize {
			split, err := s.copyParquet(ctx, "SELECT * FROM read_parquet("+sqlList(files)+", hive_partitioning = false)", dest, maxSize)
			if err != nil {
				return nil, err
			}
			out = append(out, split...)
			continue
		}
		for i, f := range files {
			name := filepath.Join(dest, partName(i))
			if err := os.Rename(f, name); err != nil {
				return nil, err
			}
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out, nil
}

// reencodeFolder turns the folder part of a file path DuckDB wrote
// ("k=a%20b/d=1992-01-02/ferry_0.parquet") into ferry's encoding of the
// same values, checking the keys and their order.
func reencodeFolder(rel string, keys []string) (string, error) {
	parts := strings.Split(rel, "/")
	if len(parts) != len(keys)+1 {
		return "", fmt.Errorf("partitioned COPY wrote %s, not %d folder levels", rel, len(keys))
	}
	for i, k := range keys {
		name, value, ok := strings.Cut(parts[i], "=")
		if !ok || !strings.EqualFold(name, k) {
			return "", fmt.Errorf("partitioned COPY wrote folder %q where %s=<value> was expected", parts[i], k)
		}
		if value != hiveNull {
			v, err := decodeHiveValue(value)
			if err != nil {
				return "", fmt.Errorf("partitioned COPY wrote folder %q: %w", parts[i], err)
			}
			value = encodeHiveValue(v)
		}
		parts[i] = k + "=" + value
	}
	return strings.Join(parts[:len(keys)], "/"), nil
}

// fileIndex is N in a ferry_N.parquet file name (0 when absent).
func fileIndex(p string) int {
	n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(filepath.Base(p), "ferry_"), ".parquet"))
	return n
}

// totalSize sums the sizes of files (a missing file counts 0).
func totalSize(files []string) int64 {
	var n int64
	for _, f := range files {
		if info, err := os.Stat(f); err == nil {
			n += info.Size()
		}
	}
	return n
}
