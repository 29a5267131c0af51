package local

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/ferry-dev/ferry/provider"
)

// odpsTypeError is the code MaxCompute reports when a file's column does
// not fit the table; the local target uses it for every load-time
// mismatch, so users see the same message on both.
const odpsTypeError = "ODPS-0123131"

// Load replaces the table's contents with the Parquet files under
// req.LocationURL (a file:// folder), the way MaxCompute LOAD OVERWRITE
// does and with its strictness:
//
//   - every file under the location is read; one that is not Parquet (a
//     manifest, say) fails the load, naming the file;
//   - columns are matched by name; a table column missing from the files
//     is filled with NULL and extra file columns are dropped;
//   - each file column must load directly into the column's MaxCompute
//     type (INT32 into INT only, INT64 into BIGINT only, DECIMAL(p,s) into
//     the same DECIMAL(p,s), strings into STRING, VARCHAR(n) or CHAR(n)…),
//     unless req.FileColumns declares another file type for that column,
//     in which case the file must match that type and the value is cast
//     (the staging-table route);
//   - a value longer than VARCHAR(n) or CHAR(n) fails the load;
//   - partition keys must not be in the files.
//
// A partitioned table is loaded one of two ways. With req.Partitions, as
// MaxCompute's static LOAD OVERWRITE … PARTITION (k='v'): each listed
// partition's rows are replaced by the files of its folder, with the key
// values (decoded folder text, converted to the key types) as constants,
// and the rows of partitions not listed are deleted, so the table holds
// exactly the load. Without it, the keys come from the key=value folders
// under req.LocationURL (dynamic partitioning).
//
// Every DELETE and INSERT of a load runs in one transaction, so a failed
// load leaves the previous contents. An empty or missing location loads
// zero rows.
func (t *Target) Load(ctx context.Context, req provider.LoadRequest) (*provider.LoadResult, error) {
	res, err := t.load(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", req.Table, err)
	}
	return res, nil
}

func (t *Target) load(ctx context.Context, req provider.LoadRequest) (*provider.LoadResult, error) {
	table, err := t.table(ctx, req.Table)
	if err != nil {
		return nil, err
	}
	if len(req.Partitions) > 0 {
		return t.loadPartitions(ctx, table, req)
	}
	dir, err := filePath(req.LocationURL)
	if err != nil {
		return nil, err
	}
	files, err := listFiles(dir)
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		if err := checkParquet(f); err != nil {
			return nil, err
		}
	}
	stmts := []string{"DELETE FROM main." + quoteIdent(table.Name)}
	if len(files) > 0 {
		schemas, err := t.parquetSchemas(ctx, files)
		if err != nil {
			return nil, err
		}
		insert, err := insertStatement(table, req.FileColumns, dir, files, schemas)
		if err != nil {
			return nil, err
		}
		stmts = append(stmts, insert)
	}
	tx, err := t.h.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var rows int64
	for i, s := range stmts {
		r, err := tx.ExecContext(ctx, s)
		if err != nil {
			return nil, err
		}
		if i == 1 {
			if rows, err = r.RowsAffected(); err != nil {
				return nil, err
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return &provider.LoadResult{Rows: rows, Statements: stmts}, nil
}

// checkParquet fails unless the file starts and ends with the Parquet
// magic bytes.
func checkParquet(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	head, tail := make([]byte, 4), make([]byte, 4)
	ok := info.Size() >= 12
	if ok {
		_, err1 := io.ReadFull(f, head)
		_, err2 := f.ReadAt(tail, info.Size()-4)
		ok = err1 == nil && err2 == nil && bytes.Equal(head, []byte("PAR1")) && bytes.Equal(tail, []byte("PAR1"))
	}
	if !ok {
		return fmt.Errorf("%s: file %s is not a Parquet file (LOAD reads every file under the location)", odpsTypeError, path)
	}
	return nil
}

// parquetSchemas reads the leaf columns of every file in one query, keyed
// by file and then by lower-cased column name.
func (t *Target) parquetSchemas(ctx context.Context, files []string) (map[string]map[string]namedParquetColumn, error) {
	rows, err := t.h.db.QueryContext(ctx, fmt.Sprintf(
		`SELECT file_name, name, type, converted_type, logical_type, scale, precision
		 FROM parquet_schema(%s) WHERE coalesce(num_children, 0) = 0`, sqlList(files)))
	if err != nil {
		return nil, fmt.Errorf("read parquet schemas: %w", err)
	}
	defer rows.Close()
	out := map[string]map[string]namedParquetColumn{}
	for rows.Next() {
		var file, name string
		var c parquetColumn
		if err := rows.Scan(&file, &name, &c.physical, &c.converted, &c.logical, &c.scale, &c.precision); err != nil {
			return nil, err
		}
		if out[file] == nil {
			out[file] = map[string]namedParquetColumn{}
		}
		out[file][strings.ToLower(name)] = namedParquetColumn{name: name, parquetColumn: c}
	}
	return out, rows.Err()
}

// namedParquetColumn is a file column with its name as the file spells it.
type namedParquetColumn struct {
	name string
	parquetColumn
}

// insertStatement builds the INSERT … SELECT FROM read_parquet after
// checking every file column against the table, MaxCompute style. The
// partition keys, if any, come from the key=value folders under dir.
func insertStatement(table provider.TargetTable, fileCols []provider.Column, dir string, files []string,
	schemas map[string]map[string]namedParquetColumn) (string, error) {
	names, exprs, err := dataColumns(table, fileCols, files, schemas)
	if err != nil {
		return "", err
	}
	hive := "false"
	if len(table.PartitionColumns) > 0 {
		hive = "true"
		for _, p := range table.PartitionColumns {
			pt, err := parseMC(p.Type)
			if err != nil {
				return "", fmt.Errorf("partition column %s: %w", p.Name, err)
			}
			for _, f := range files {
				rel, _ := filepath.Rel(dir, f)
				if !strings.Contains("/"+filepath.ToSlash(rel), "/"+p.Name+"=") {
					return "", fmt.Errorf("file %s is not under a %s=<value>/ folder", f, p.Name)
				}
			}
			names = append(names, quoteIdent(p.Name))
			exprs = append(exprs, fmt.Sprintf("CAST(%s AS %s) AS %s", quoteIdent(p.Name), pt.duckType(), quoteIdent(p.Name)))
		}
	}
	return fmt.Sprintf("INSERT INTO main.%s (%s) SELECT %s FROM read_parquet(%s, union_by_name = true, hive_partitioning = %s, hive_types_autocast = false)",
		quoteIdent(table.Name), strings.Join(names, ", "), strings.Join(exprs, ", "), sqlList(files), hive), nil
}

// dataColumns checks every file column against the table's data columns,
// MaxCompute style, and returns the column names and SELECT expressions
// that read them. A file holding a partition column fails, as LOAD does.
func dataColumns(table provider.TargetTable, fileCols []provider.Column, files []string,
	schemas map[string]map[string]namedParquetColumn) (names, exprs []string, err error) {
	declared := map[string]string{}
	for _, c := range fileCols {
		declared[strings.ToLower(c.Name)] = c.Type
	}
	for _, c := range table.Columns {
		tableType, err := parseMC(c.Type)
		if err != nil {
			return nil, nil, fmt.Errorf("column %s: %w", c.Name, err)
		}
		fileType, staged := tableType, false
		if d, ok := declared[strings.ToLower(c.Name)]; ok {
			if fileType, err = parseMC(d); err != nil {
				return nil, nil, fmt.Errorf("column %s: file column type: %w", c.Name, err)
			}
			staged = fileType.String() != tableType.String()
		}
		source := ""
		for _, f := range files {
			fc, ok := schemas[f][strings.ToLower(c.Name)]
			if !ok {
				continue // filled with NULL, as MaxCompute does
			}
			if !fc.loadsInto(fileType) {
				return nil, nil, fmt.Errorf("%s: column %s: file type %s does not match table type %s (file %s)",
					odpsTypeError, c.Name, fc, fileType, f)
			}
			source = fc.name
		}
		expr := "NULL::" + tableType.duckType()
		if source != "" {
			expr = quoteIdent(source)
			if staged {
				expr = fmt.Sprintf("CAST(%s AS %s)", expr, tableType.duckType())
			}
			if n := tableType.maxLen(); n > 0 {
				msg := fmt.Sprintf("%s: column %s: value longer than %s", odpsTypeError, c.Name, tableType)
				expr = fmt.Sprintf("CASE WHEN length(%s) > %d THEN error(%s) ELSE %s END", expr, n, quoteString(msg), expr)
			}
		}
		names = append(names, quoteIdent(c.Name))
		exprs = append(exprs, expr+" AS "+quoteIdent(c.Name))
	}
	for _, p := range table.PartitionColumns {
		for _, f := range files {
			if _, ok := schemas[f][strings.ToLower(p.Name)]; ok {
				return nil, nil, fmt.Errorf("%s: file %s contains partition column %s", odpsTypeError, f, p.Name)
			}
		}
	}
	return names, exprs, nil
}
