package parquetmeta

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/parquet/metadata"
	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/ferry-dev/ferry/internal/golden"
)

// duckCase is a Parquet file DuckDB writes: COPY (query) TO … (FORMAT
// parquet, options).
type duckCase struct {
	name, query, options string
	rows                 int64
}

// The files cover every type DuckDB writes to Parquet, nested and
// all-NULL columns, no rows, many row groups, and the writer options that
// add footer fields Decode must skip (key-value metadata, field ids,
// format version 2, bloom filters and statistics).
var duckCases = []duckCase{
	{name: "scalars", rows: 100, query: `
SELECT (i % 2 = 0) AS b,
  i::TINYINT AS i8, i::SMALLINT AS i16, CASE WHEN i % 10 = 0 THEN NULL ELSE i END::INTEGER AS i32,
  i::BIGINT AS i64, (i * 1000000000000)::HUGEINT AS i128,
  i::UTINYINT AS u8, i::USMALLINT AS u16, i::UINTEGER AS u32, i::UBIGINT AS u64, i::UHUGEINT AS u128,
  (i / 3)::FLOAT AS f32, (i / 7)::DOUBLE AS f64,
  (i / 7)::DECIMAL(4,2) AS d4, (i / 7)::DECIMAL(9,0) AS d9, (i * 1.5)::DECIMAL(18,3) AS d18,
  (i * 1.25)::DECIMAL(38,10) AS d38,
  'v' || i AS s, ('b' || i)::BLOB AS bl,
  DATE '2020-01-01' + i::INTEGER AS day,
  TIME '00:00:00' + INTERVAL (i) SECOND AS t, TIMETZ '12:00:00+02' AS ttz,
  TIMESTAMP '2020-01-01' + INTERVAL (i) SECOND AS ts,
  TIMESTAMPTZ '2020-01-01 00:00:00+00' + INTERVAL (i) HOUR AS tstz,
  (TIMESTAMP '2020-01-01' + INTERVAL (i) SECOND)::TIMESTAMP_MS AS ts_ms,
  (TIMESTAMP '2020-01-01' + INTERVAL (i) SECOND)::TIMESTAMP_NS AS ts_ns,
  (TIMESTAMP '2020-01-01' + INTERVAL (i) SECOND)::TIMESTAMP_S AS ts_s,
  ('00000000-0000-0000-0000-' || lpad(i::VARCHAR, 12, '0'))::UUID AS u,
  json_object('i', i) AS j,
  (['sad', 'ok', 'happy'][i % 3 + 1])::mood AS e,
  INTERVAL (i) DAY AS iv
FROM range(100) t(i)`},
	{name: "nested", rows: 50, query: `
SELECT [i, i + 1] AS l, {'a': i, 'b': 'x' || i} AS st, MAP {'k' || i: i} AS m,
  [{'x': i, 'y': [i::DECIMAL(10,2)]}] AS ls, {'l': [i], 's': {'deep': 'd' || i}} AS sl,
  [i, i]::INTEGER[2] AS arr, [[i::SMALLINT]] AS ll
FROM range(50) t(i)`},
	{name: "nulls", rows: 5, query: `
SELECT NULL AS n, NULL::INTEGER AS ni, NULL::VARCHAR AS nv, NULL::DECIMAL(10,2) AS nd,
  NULL::TIMESTAMPTZ AS nts, NULL::INTEGER[] AS nl, i AS i
FROM range(5) t(i)`},
	{name: "empty", rows: 0, query: `SELECT 1::INTEGER AS a, 'x' AS b, 1.5::DECIMAL(18,3) AS c WHERE false`},
	{name: "row_groups", rows: 100000, options: "ROW_GROUP_SIZE 2048, COMPRESSION zstd",
		query: `SELECT i, 'row ' || i AS s, (i % 7)::DECIMAL(4,1) AS d FROM range(100000) t(i)`},
	{name: "options", rows: 1000,
		options: "KV_METADATA {origin: 'ferry test', quote: 'it''s'}, FIELD_IDS 'auto', PARQUET_VERSION V2, COMPRESSION snappy",
		query:   `SELECT i, 'x' || i AS s, [i] AS l, {'a': i} AS st FROM range(1000) t(i)`},
	{name: "wide", rows: 3, query: wideQuery(300)},
}

func wideQuery(n int) string {
	var cols []string
	for i := range n {
		cols = append(cols, fmt.Sprintf("i + %d AS c%d", i, i))
	}
	return "SELECT " + strings.Join(cols, ", ") + " FROM range(3) t(i)"
}

// duckFile is one written file's footer.
type duckFile struct {
	duckCase
	footer []byte
}

var (
	duckOnce  sync.Once
	duckFiles []duckFile
	duckErr   error
)

// duckFooters writes every duckCase once per test binary and returns
// their footers.
func duckFooters(t testing.TB) []duckFile {
	t.Helper()
	duckOnce.Do(func() { duckFiles, duckErr = writeDuckFiles() })
	if duckErr != nil {
		t.Fatal(duckErr)
	}
	return duckFiles
}

func writeDuckFiles() ([]duckFile, error) {
	dir, err := os.MkdirTemp("", "parquetmeta")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1) // the ENUM type lives in one connection's catalog
	if _, err := db.Exec(`CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')`); err != nil {
		return nil, err
	}
	var out []duckFile
	for _, c := range duckCases {
		path := filepath.Join(dir, c.name+".parquet")
		opts := "FORMAT parquet"
		if c.options != "" {
			opts += ", " + c.options
		}
		if _, err := db.Exec(fmt.Sprintf("COPY (%s) TO '%s' (%s)", c.query, path, opts)); err != nil {
			return nil, fmt.Errorf("%s: %w", c.name, err)
		}
		file, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		n := len(file)
		if n < 12 || string(file[n-4:]) != "PAR1" {
			return nil, fmt.Errorf("%s: DuckDB wrote no Parquet file", c.name)
		}
		size := int(file[n-8]) | int(file[n-7])<<8 | int(file[n-6])<<16 | int(file[n-5])<<24
		out = append(out, duckFile{duckCase: c, footer: file[n-8-size : n-8]})
	}
	return out, nil
}

// TestDuckDBFooters decodes DuckDB's footers and requires the same result
// as arrow-go's. testdata/duckdb.golden shows what they decode to, for
// review: it is what ferry sees of each DuckDB type.
func TestDuckDBFooters(t *testing.T) {
	var out strings.Builder
	for _, f := range duckFooters(t) {
		t.Run(f.name, func(t *testing.T) {
			got := sameAsArrow(t, f.footer)
			if got.NumRows != f.rows {
				t.Errorf("NumRows = %d, want %d", got.NumRows, f.rows)
			}
			// The cases are there for what their footers hold besides
			// the schema; check that they hold it.
			meta, err := metadata.NewFileMetaData(f.footer, nil)
			if err != nil {
				t.Fatal(err)
			}
			switch f.name {
			case "row_groups":
				if meta.NumRowGroups() < 10 {
					t.Errorf("%d row groups, want many", meta.NumRowGroups())
				}
			case "options":
				if meta.KeyValueMetadata().FindValue("origin") == nil || got.Columns[0].FieldID < 0 {
					t.Errorf("no key-value metadata or field ids: %v %+v", meta.KeyValueMetadata(), got.Columns[0])
				}
			}
			if f.name == "wide" {
				fmt.Fprintf(&out, "== %s: %d rows, %d columns\n\n", f.name, got.NumRows, len(got.Columns))
				return
			}
			fmt.Fprintf(&out, "== %s: %d rows\n", f.name, got.NumRows)
			for _, c := range got.Columns {
				fmt.Fprintf(&out, "%s\n", spell(c))
			}
			out.WriteString("\n")
		})
	}
	golden.Check(t, "duckdb.golden", out.String())
}

// spell renders a column on one line.
func spell(c Column) string {
	phys := c.Physical.String()
	if c.Physical == TypeFixedLenByteArray {
		phys = fmt.Sprintf("%s(%d)", phys, c.TypeLength)
	}
	s := fmt.Sprintf("%-8s %-8s %-24s %s", c.Name, c.Repetition, phys, c.Logical)
	if c.Logical.FromConverted {
		s += " (from converted_type)"
	}
	if c.FieldID >= 0 {
		s += fmt.Sprintf(" field_id=%d", c.FieldID)
	}
	return strings.TrimRight(s, " ")
}
