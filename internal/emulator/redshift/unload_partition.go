package redshift

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// hiveNull is the folder value Redshift writes for a NULL partition key.
const hiveNull = "__HIVE_DEFAULT_PARTITION__"

// partitionKeyOIDs are the column types Redshift accepts as PARTITION BY
// keys: SMALLINT, INTEGER, BIGINT, DECIMAL, REAL, BOOLEAN, CHAR, VARCHAR
// (TEXT is VARCHAR(256) in Redshift), DATE and TIMESTAMP.
var partitionKeyOIDs = map[uint32]bool{
	oidInt2: true, oidInt4: true, oidInt8: true, oidNumeric: true, oidFloat4: true, oidBool: true,
	oidBPChar: true, oidVarchar: true, oidText: true, oidDate: true, oidTimestamp: true,
}

// partitionKeys resolves the PARTITION BY columns to result column
// indexes and checks them as Redshift does: each is a result column of an
// allowed type, named once, and without INCLUDE one other column at least
// remains for the files.
func partitionKeys(u *Unload, cols []column) ([]int, error) {
	var keys []int
	seen := map[int]bool{}
	for _, name := range u.PartitionBy {
		idx := -1
		for i := range cols {
			if strings.EqualFold(cols[i].name, name) {
				idx = i
				break
			}
		}
		if idx < 0 {
			return nil, &sqlError{Code: "42703", Message: fmt.Sprintf("partition column %q does not exist in the UNLOAD query", name)}
		}
		if seen[idx] {
			return nil, &sqlError{Code: "42701", Message: fmt.Sprintf("partition column %q is specified more than once", name)}
		}
		if !partitionKeyOIDs[cols[idx].oid] {
			typ := typeNames[cols[idx].oid]
			if typ == "" {
				typ = fmt.Sprintf("oid %d", cols[idx].oid)
			}
			return nil, &sqlError{Code: "0A000", Message: fmt.Sprintf("partition column %q has type %s, which is not supported for PARTITION BY", name, typ)}
		}
		seen[idx] = true
		keys = append(keys, idx)
	}
	if !u.Include && len(keys) >= len(cols) {
		return nil, &sqlError{Code: "0A000", Message: "at least one column must remain besides the PARTITION BY columns (or use INCLUDE)"}
	}
	return keys, nil
}

// encodeHiveValue writes a partition value for a folder name: every byte
// other than an ASCII letter, digit, '-', '_' or '.' becomes %XX.
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

// partitionRoot is the folder under which PARTITION BY writes: the
// prefix with a "/" added when it lacks one.
func partitionRoot(prefix string) string {
	if prefix == "" || strings.HasSuffix(prefix, "/") {
		return prefix
	}
	return prefix + "/"
}

// partitionGroup is one partition folder of an UNLOAD.
type partitionGroup struct {
	folder string // "k=v/k2=v2"
	where  string // selects its staged rows
	rows   int64
}

// partitionGroups reads the distinct key values of the staged rows, as
// their text, sorted by folder.
func (w *partWriter) partitionGroups(ctx context.Context, keys []int) ([]partitionGroup, error) {
	cols := make([]string, len(keys))
	for i, k := range keys {
		cols[i] = fmt.Sprintf("c%d", k)
	}
	list := strings.Join(cols, ", ")
	rows, err := w.conn.QueryContext(ctx, fmt.Sprintf("SELECT %s, count(*) FROM staged GROUP BY %s", list, list))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []partitionGroup
	for rows.Next() {
		vals := make([]*string, len(keys))
		dest := make([]any, len(keys)+1)
		for i := range vals {
			dest[i] = &vals[i]
		}
		var g partitionGroup
		dest[len(keys)] = &g.rows
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		folders := make([]string, len(keys))
		conds := make([]string, len(keys))
		for i, v := range vals {
			name := w.cols[keys[i]].name
			if v == nil {
				folders[i] = name + "=" + hiveNull
				conds[i] = cols[i] + " IS NULL"
				continue
			}
			folders[i] = name + "=" + encodeHiveValue(*v)
			conds[i] = cols[i] + " = " + quoteLiteral(*v)
		}
		g.folder = strings.Join(folders, "/")
		g.where = strings.Join(conds, " AND ")
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].folder < out[j].folder })
	return out, rows.Err()
}

// writePartitioned writes the staged rows as Hive folders under the
// prefix, one file sequence per folder, the key columns left out of the
// files unless INCLUDE, and returns the VERBOSE manifest of every file.
// With CLEANPATH the existing objects of each folder written are deleted
// first, and only those.
func (s *session) writePartitioned(ctx context.Context, u *Unload, w *partWriter, keys []int, existing []string) (*manifest, error) {
	if err := w.finish(ctx); err != nil {
		return nil, err
	}
	groups, err := w.partitionGroups(ctx, keys)
	if err != nil {
		return nil, err
	}
	skip := map[int]bool{}
	if !u.Include {
		for _, k := range keys {
			skip[k] = true
		}
	}
	m := newManifest(w.cols, skip)
	dir, err := os.MkdirTemp("", "ferry-unload-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	root := partitionRoot(u.Prefix)
	for i, g := range groups {
		folder := root + g.folder + "/"
		if u.CleanPath {
			var stale []string
			for _, k := range existing {
				if strings.HasPrefix(k, folder) {
					stale = append(stale, k)
				}
			}
			if err := s.front.opts.Store.Delete(ctx, u.Bucket, stale); err != nil {
				return nil, &sqlError{Code: "XX000", Message: err.Error()}
			}
		}
		sub := filepath.Join(dir, fmt.Sprint(i))
		if err := os.Mkdir(sub, 0o700); err != nil {
			return nil, err
		}
		files, err := w.writeWhere(ctx, sub, s.fileLimit(u), g.where, skip, g.rows)
		if err != nil {
			return nil, err
		}
		if err := s.putFiles(ctx, u, w, folder, files, m); err != nil {
			return nil, err
		}
	}
	return m, nil
}
