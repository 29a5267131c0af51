package maxcompute

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ferry-dev/ferry/provider/typemap"
)

// udfError is the code the service gives a LOAD whose files do not fit
// the table.
const udfError = "ODPS-0123131"

// loadFailure reports a LOAD that failed while reading files.
func loadFailure(format string, args ...any) error {
	return &odpsError{code: udfError, kind: "User defined function exception", msg: fmt.Sprintf(format, args...)}
}

// loadStmt is a parsed LOAD statement.
type loadStmt struct {
	overwrite bool
	table     string
	spec      []specValue
	location  string
	format    string
	serde     string
	props     map[string]string
}

// parseLoad reads LOAD {OVERWRITE|INTO} TABLE t [PARTITION (k='v')] FROM
// LOCATION 'oss://…' followed, in any order, by STORED BY 'handler',
// ROW FORMAT SERDE 'class', WITH SERDEPROPERTIES ('k'='v', …) and
// STORED AS format.
func parseLoad(ps *parser, tableOf func(string) (*tableMeta, error)) (*loadStmt, *tableMeta, error) {
	l := &loadStmt{props: map[string]string{}}
	if err := ps.expect("load"); err != nil {
		return nil, nil, parseError(err)
	}
	l.overwrite = ps.accept("overwrite")
	if !l.overwrite {
		if err := ps.expect("into"); err != nil {
			return nil, nil, parseError(err)
		}
	}
	if err := ps.expect("table"); err != nil {
		return nil, nil, parseError(err)
	}
	var err error
	if l.table, err = ps.tableName(); err != nil {
		return nil, nil, parseError(err)
	}
	tm, err := tableOf(l.table)
	if err != nil {
		return nil, nil, err
	}
	if l.spec, err = partitionSpec(ps, tm); err != nil {
		return nil, nil, err
	}
	if err := ps.expect("from", "location"); err != nil {
		return nil, nil, parseError(err)
	}
	if l.location, err = ps.str(); err != nil {
		return nil, nil, parseError(err)
	}
	for !ps.done() {
		switch {
		case ps.accept("stored", "by"):
			h, err := ps.str()
			if err != nil {
				return nil, nil, parseError(err)
			}
			l.format = "handler:" + h
		case ps.accept("stored", "as"):
			w, err := ps.identifier()
			if err != nil {
				return nil, nil, parseError(err)
			}
			l.format = strings.ToUpper(w)
		case ps.accept("row", "format", "serde"):
			if l.serde, err = ps.str(); err != nil {
				return nil, nil, parseError(err)
			}
		case ps.accept("with", "serdeproperties", "("):
			for !ps.accept(")") {
				k, err := ps.str()
				if err != nil {
					return nil, nil, parseError(err)
				}
				if err := ps.expect("="); err != nil {
					return nil, nil, parseError(err)
				}
				if l.props[k], err = ps.str(); err != nil {
					return nil, nil, parseError(err)
				}
				ps.accept(",")
			}
		default:
			return nil, nil, parseError(fmt.Errorf("unsupported LOAD clause near %q", ps.peek().text))
		}
	}
	return l, tm, nil
}

// load runs a LOAD from a Parquet location with MaxCompute's strictness
// (see the package documentation). OVERWRITE replaces the table or the
// partition in the same transaction as the insert, so a failed LOAD
// leaves the previous rows.
func (p *project) load(ctx context.Context, s *session, toks []token) error {
	l, tm, err := parseLoad(&parser{toks: toks}, func(n string) (*tableMeta, error) { return p.table(ctx, n) })
	if err != nil {
		return err
	}
	if l.format != "PARQUET" {
		return semantic(fmt.Errorf("the emulator loads only STORED AS PARQUET, not %q", l.format))
	}
	if l.serde != "" && l.serde != "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe" {
		return semantic(fmt.Errorf("serde %s cannot read Parquet", l.serde))
	}
	u, err := url.Parse(l.location)
	if err != nil || u.Scheme != "oss" || u.Host == "" {
		return semantic(fmt.Errorf("location %q is not oss://endpoint/bucket/path/", l.location))
	}
	if u.User == nil && l.props["odps.properties.rolearn"] == "" {
		return &odpsError{code: "ODPS-0130013", kind: "Authorization exception",
			msg: "no credentials for the OSS location: set odps.properties.rolearn or put an AccessKey in the location"}
	}
	u.User = nil
	if s.loc == nil {
		return semantic(fmt.Errorf("no OSS location reader configured"))
	}
	dir, err := os.MkdirTemp("", "mc-load-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	files, err := fetch(ctx, s.loc, u.String(), dir)
	if err != nil {
		return err
	}
	stmts := []string{}
	if l.overwrite {
		stmts = append(stmts, "DELETE FROM "+duckIdent(tm.Name)+specWhere(l.spec))
	}
	if len(files) > 0 {
		schemas, err := p.parquetSchemas(ctx, files)
		if err != nil {
			return err
		}
		insert, err := insertFromParquet(s, tm, l.spec, files, schemas)
		if err != nil {
			return err
		}
		stmts = append(stmts, insert)
	}
	if len(l.spec) > 0 {
		stmts = append(stmts, registerPartition(tm, l.spec))
	}
	if err := p.inTx(ctx, stmts...); err != nil {
		if strings.Contains(err.Error(), udfError) {
			return loadFailure("%s", strings.TrimPrefix(err.Error()[strings.Index(err.Error(), udfError):], udfError+": "))
		}
		return semantic(err)
	}
	return nil
}

// fetch copies every object under the location into dir and returns the
// local paths in name order. An object that is not Parquet fails the load:
// LOAD reads every object under its location.
func fetch(ctx context.Context, loc LocationReader, location, dir string) ([]string, error) {
	names, err := loc.List(ctx, location)
	if err != nil {
		return nil, loadFailure("list %s: %v", location, err)
	}
	sort.Strings(names)
	var out []string
	for _, name := range names {
		if strings.HasSuffix(name, "/") {
			continue
		}
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, err
		}
		rc, err := loc.Open(ctx, location, name)
		if err != nil {
			return nil, loadFailure("read %s%s: %v", location, name, err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, loadFailure("read %s%s: %v", location, name, err)
		}
		if len(b) < 12 || !bytes.HasPrefix(b, []byte("PAR1")) || !bytes.HasSuffix(b, []byte("PAR1")) {
			return nil, loadFailure("file %s%s is not a Parquet file (LOAD reads every file under the location)", location, name)
		}
		if err := os.WriteFile(path, b, 0o600); err != nil {
			return nil, err
		}
		out = append(out, path)
	}
	return out, nil
}

// insertFromParquet checks each file column against the table column of
// the same name and builds the INSERT … SELECT FROM read_parquet.
func insertFromParquet(s *session, tm *tableMeta, spec []specValue, files []string,
	schemas map[string]map[string]fileColumn) (string, error) {
	native := s.flag("odps.ext.parquet.native")
	var exprs []string
	for _, c := range tm.Columns {
		t, err := typemap.Options{ExtendedDecimalScale: true}.ParseMaxCompute(c.Type)
		if err != nil {
			return "", err
		}
		if t.NeedsStaging() {
			return "", loadFailure("column %s: %s cannot be read from Parquet", c.Name, t)
		}
		source := ""
		for _, f := range files {
			fc, ok := schemas[f][strings.ToLower(c.Name)]
			if !ok {
				continue // a missing column is filled with NULL
			}
			if (t.Name == typemap.MCDecimal || strings.HasPrefix(fc.String(), "DECIMAL")) && !native {
				return "", loadFailure("column %s: the Java Parquet reader cannot read DECIMAL; set odps.ext.parquet.native=true", c.Name)
			}
			if !fc.loadsInto(t) {
				return "", loadFailure("column %s: file type %s does not match table type %s", c.Name, fc, t)
			}
			source = fc.name
		}
		expr := "NULL"
		if source != "" {
			expr = duckIdent(source)
			if n := t.Length; n > 0 {
				msg := fmt.Sprintf("%s: column %s: value longer than %s", udfError, c.Name, t)
				expr = fmt.Sprintf("CASE WHEN length(%s) > %d THEN error(%s) ELSE %s END", expr, n, duckString(msg), expr)
			}
		}
		exprs = append(exprs, fmt.Sprintf("CAST(%s AS %s)", expr, duckType(t)))
	}
	for _, pc := range tm.Partition {
		for _, f := range files {
			if _, ok := schemas[f][strings.ToLower(pc.Name)]; ok {
				return "", loadFailure("file %s contains partition column %s", filepath.Base(f), pc.Name)
			}
		}
	}
	for _, sv := range spec {
		exprs = append(exprs, sv.literal)
	}
	list := make([]string, len(files))
	for i, f := range files {
		list[i] = duckString(f)
	}
	return fmt.Sprintf("INSERT INTO %s SELECT %s FROM read_parquet([%s], union_by_name = true, hive_partitioning = false)",
		duckIdent(tm.Name), strings.Join(exprs, ", "), strings.Join(list, ", ")), nil
}

// fileColumn is one leaf column of a Parquet file, as DuckDB's
// parquet_schema() reports it.
type fileColumn struct {
	name                         string
	physical, converted, logical sql.NullString
	scale, precision             sql.NullInt64
}

// parquetSchemas reads the leaf columns of every file, keyed by file and
// lower-cased column name.
func (p *project) parquetSchemas(ctx context.Context, files []string) (map[string]map[string]fileColumn, error) {
	list := make([]string, len(files))
	for i, f := range files {
		list[i] = duckString(f)
	}
	rows, err := p.db.QueryContext(ctx, fmt.Sprintf(
		`SELECT file_name, name, type, converted_type, logical_type, scale, precision
		 FROM parquet_schema([%s]) WHERE coalesce(num_children, 0) = 0`, strings.Join(list, ", ")))
	if err != nil {
		return nil, loadFailure("read Parquet footer: %v", err)
	}
	defer rows.Close()
	out := map[string]map[string]fileColumn{}
	for rows.Next() {
		var file string
		var c fileColumn
		if err := rows.Scan(&file, &c.name, &c.physical, &c.converted, &c.logical, &c.scale, &c.precision); err != nil {
			return nil, err
		}
		if out[file] == nil {
			out[file] = map[string]fileColumn{}
		}
		out[file][strings.ToLower(c.name)] = c
	}
	return out, rows.Err()
}

// String names the file type in Parquet terms: INT32, INT32 (INT_16),
// INT64, DECIMAL(15,2), STRING, BINARY, DATE, TIMESTAMP, BOOLEAN, FLOAT,
// DOUBLE, INT96.
func (c fileColumn) String() string {
	phys, conv, logical := c.physical.String, c.converted.String, c.logical.String
	switch {
	case conv == "DECIMAL" || strings.HasPrefix(logical, "DecimalType"):
		return fmt.Sprintf("DECIMAL(%d,%d)", c.precision.Int64, c.scale.Int64)
	case conv == "UTF8" || conv == "ENUM" || strings.HasPrefix(logical, "StringType"):
		return "STRING"
	case conv == "JSON":
		return "JSON"
	case conv == "DATE":
		return "DATE"
	case strings.HasPrefix(conv, "TIMESTAMP") || strings.HasPrefix(logical, "TimestampType"):
		return "TIMESTAMP"
	case phys == "BYTE_ARRAY" && conv == "":
		return "BINARY"
	case (phys == "INT32" || phys == "INT64") && conv != "" && conv != "INT_32" && conv != "INT_64":
		return phys + " (" + conv + ")"
	}
	return phys
}

// loadsInto reports whether the file column reads into a table column of
// type t under MaxCompute's strict matching: integer widths agree, DECIMAL
// precision and scale are equal, strings go to the character types.
func (c fileColumn) loadsInto(t typemap.MCType) bool {
	f := c.String()
	switch t.Name {
	case typemap.MCTinyint:
		return f == "INT32 (INT_8)"
	case typemap.MCSmallint:
		return f == "INT32 (INT_16)"
	case typemap.MCInt:
		return f == "INT32"
	case typemap.MCBigint:
		return f == "INT64"
	case typemap.MCFloat, typemap.MCDouble, typemap.MCBoolean, typemap.MCDate, typemap.MCBinary:
		return f == t.Name
	case typemap.MCDecimal:
		return f == t.String()
	case typemap.MCString, typemap.MCVarchar, typemap.MCChar:
		return f == "STRING" || f == "JSON"
	case typemap.MCTimestamp, typemap.MCDatetime:
		return f == "TIMESTAMP" || f == "INT96"
	}
	return false
}
