package verify

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// portableDialect hides a dialect's optional fingerprint spellings
// (rowTexter, md5Splitter, nativeRowHasher), leaving the SQL every
// dialect shares.
type portableDialect struct{ Dialect }

// TestDuckDBMD5NumberByteOrder pins what duckDB.md5Limbs relies on:
// md5_number is the digest's 16 bytes read as a little-endian 128-bit
// integer, i.e. md5()'s hex text byte-reversed.
func TestDuckDBMD5NumberByteOrder(t *testing.T) {
	db := openDuck(t)
	for _, s := range []string{"", "abc", "héllo, wörld", "v1\x1fn\x1fv2024-01-31"} {
		var hexText, number string
		if err := db.QueryRow("SELECT md5(?), CAST(md5_number(?) AS VARCHAR)", s, s).Scan(&hexText, &number); err != nil {
			t.Fatal(err)
		}
		sum := md5.Sum([]byte(s))
		if hexText != hex.EncodeToString(sum[:]) {
			t.Errorf("md5(%q) = %s, want %x", s, hexText, sum)
		}
		le := sum[:]
		slices.Reverse(le)
		if want := new(big.Int).SetBytes(le).String(); number != want {
			t.Errorf("md5_number(%q) = %s, want the little-endian %s", s, number, want)
		}
	}
}

// awkwardDDL is a table of values that stress the canonical text: NULL in
// every column in turn, empty strings, the markers "n" and "v" and the
// field separator inside strings, trailing blanks, non-ASCII text,
// negative numbers, zero floats, fractions of seconds, and enough rows for
// every bucket to hold several.
const awkwardDDL = `CREATE TABLE awk AS SELECT
  CAST(i AS INTEGER) AS k,
  CASE WHEN i % 11 = 0 THEN NULL ELSE (i * 7919) % 1000 - 500 END AS n,
  CASE WHEN i % 13 = 0 THEN NULL ELSE CAST(((i * 37) % 10000 - 5000) / 100 AS DECIMAL(15,2)) END AS d,
  CASE i % 9 WHEN 0 THEN NULL WHEN 1 THEN '' WHEN 2 THEN 'n' WHEN 3 THEN 'v' WHEN 4 THEN 'a' || chr(31) || 'vb'
    WHEN 5 THEN 'tail ' WHEN 6 THEN 'héllo wörld ✓' WHEN 7 THEN 'NULL' ELSE 'x' || i END AS s,
  CASE i % 5 WHEN 0 THEN NULL WHEN 1 THEN 'ab   ' WHEN 2 THEN '' WHEN 3 THEN '  ' ELSE 'c' || i END AS ch,
  CASE WHEN i % 6 = 0 THEN NULL ELSE i % 4 = 1 END AS b,
  CASE WHEN i % 8 = 0 THEN NULL ELSE DATE '1970-01-01' + CAST(i * 37 - 20000 AS INTEGER) END AS dt,
  CASE WHEN i % 10 = 0 THEN NULL ELSE TIMESTAMP '1999-12-31 23:59:59.999999' + i * INTERVAL 1234567 MICROSECOND END AS ts,
  CASE WHEN i % 12 = 0 THEN NULL WHEN i % 12 = 1 THEN 0 ELSE (i - 1000) * 1.37e-3 END AS f,
  CASE WHEN i % 7 = 0 THEN NULL WHEN i % 7 = 1 THEN ''::BLOB ELSE encode('b' || i) END AS bin
FROM range(3000) r(i)`

// awkwardColumns are awk's columns and their families.
var awkwardColumns = []struct {
	name string
	typ  ColumnType
}{
	{"k", ColumnType{Family: Integer}}, {"n", ColumnType{Family: Integer}}, {"d", ColumnType{Family: Decimal, Scale: 2}},
	{"s", ColumnType{Family: String}}, {"ch", ColumnType{Family: Char}}, {"b", ColumnType{Family: Bool}},
	{"dt", ColumnType{Family: Date}}, {"ts", ColumnType{Family: Timestamp}}, {"f", ColumnType{Family: Float}},
	{"bin", ColumnType{Family: Binary}},
}

// TestDuckDBMD5SpellingsAgree runs DuckDB's own spellings of the md5
// fingerprint (one concat() for the row text, md5_number for the limbs)
// and the SQL every dialect shares on the same awkward table: every row's
// text and every bucket's digest must be equal, since the other engines
// compute the shared SQL's values.
func TestDuckDBMD5SpellingsAgree(t *testing.T) {
	db := openDuck(t)
	exec(t, db, awkwardDDL)
	duck, shared := newDuckDB(), portableDialect{newDuckDB()}
	var cols []string
	var types []ColumnType
	for _, c := range awkwardColumns {
		cols = append(cols, c.name)
		types = append(types, c.typ)
	}

	var rows, differ, withNull int
	q := fmt.Sprintf("SELECT count(*), count(*) FILTER (WHERE a IS DISTINCT FROM b), count(*) FILTER (WHERE contains(a, %s || 'n' || %s))"+
		" FROM (SELECT %s AS a, %s AS b FROM awk)",
		duck.Chr(fieldSeparator), duck.Chr(fieldSeparator), rowText(duck, cols, types), rowText(shared, cols, types))
	if err := db.QueryRow(q).Scan(&rows, &differ, &withNull); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	if rows != 3000 || differ != 0 || withNull == 0 {
		t.Errorf("%d rows, %d row texts differ (want 0), %d with a NULL field inside", rows, differ, withNull)
	}

	digest := func(d Dialect) []string {
		res, err := duckQuerier{db}.Query(context.Background(), fingerprintSQL(d, md5Hash, "awk", "", cols, types))
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range res.Rows {
			out = append(out, strings.Join([]string{*r[0], *r[1], *r[2], *r[3]}, " "))
		}
		slices.Sort(out)
		return out
	}
	got, want := digest(duck), digest(shared)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("digests (-shared SQL +duckdb SQL):\n%s", diff)
	}
	if len(got) != fingerprintBuckets {
		t.Errorf("%d buckets with rows, want %d", len(got), fingerprintBuckets)
	}
	if !strings.Contains(fingerprintSQL(duck, md5Hash, "awk", "", cols, types), "md5_number") ||
		strings.Contains(fingerprintSQL(shared, md5Hash, "awk", "", cols, types), "md5_number") {
		t.Error("the two statements compared are not the two spellings")
	}
}

// nullMatch is the BIGINT that DuckDB's hash() maps to the same value as
// NULL: its integer hash is a bijection, so exactly one value does.
const nullMatch = "-2930909409056394622"

// TestNativeHashTellsNullsApart changes one row between source and
// target in ways that only NULL handling can hide, and checks that both
// fingerprints see every change.
func TestNativeHashTellsNullsApart(t *testing.T) {
	db := openDuck(t)
	var same bool
	if err := db.QueryRow("SELECT hash(CAST(" + nullMatch + " AS BIGINT)) = hash(CAST(NULL AS BIGINT))").Scan(&same); err != nil {
		t.Fatal(err)
	}
	if !same {
		t.Fatalf("DuckDB's hash() changed: %s no longer hashes like NULL; find the value that does", nullMatch)
	}
	check := TableCheck{SourceTable: "src", TargetTable: "dst", Level: LevelFingerprint, ManifestRows: -1, SourceRowsAtUnload: -1,
		Columns: []ColumnPair{
			{Source: "a", Target: "a", Type: ColumnType{Family: String}},
			{Source: "b", Target: "b", Type: ColumnType{Family: String}},
			{Source: "n", Target: "n", Type: ColumnType{Family: Integer}},
		}}
	tests := []struct{ name, src, dst string }{
		{"NULL moves to the other column", "(NULL, 'x', 1)", "('x', NULL, 1)"},
		{"values swap columns", "('x', 'y', 1)", "('y', 'x', 1)"},
		{"NULL becomes the empty string", "(NULL, 'x', 1)", "('', 'x', 1)"},
		{"NULL becomes the marker text", "(NULL, 'x', 1)", "('n', 'x', 1)"},
		{"NULL becomes the integer that hashes like NULL", "('x', 'y', NULL)", "('x', 'y', " + nullMatch + ")"},
	}
	for _, h := range rowHashes {
		for _, tt := range tests {
			t.Run(h.name(newDuckDB())+"/"+tt.name, func(t *testing.T) {
				db := openDuck(t)
				exec(t, db, "CREATE TABLE src (a VARCHAR, b VARCHAR, n BIGINT)", "CREATE TABLE dst (a VARCHAR, b VARCHAR, n BIGINT)",
					"INSERT INTO src VALUES ('same', 'row', 7), "+tt.src, "INSERT INTO dst VALUES ('same', 'row', 7), "+tt.dst)
				r := runHash(t, h, duckQuerier{db}, check, nil)
				var fp []string
				for _, name := range failing(r) {
					if strings.HasPrefix(name, "fingerprint:") {
						fp = append(fp, name)
					}
				}
				if len(fp) == 0 {
					t.Errorf("no fingerprint bucket differs; failing: %v", failing(r))
				}
			})
		}
	}
}

// TestDuckDBAggregatesAgree runs the aggregates of every family on the
// awkward table with DuckDB's statement (CHAR extremes in a scan of their
// own) and with the shared one: every value must be equal, with and
// without a filter.
func TestDuckDBAggregatesAgree(t *testing.T) {
	db := openDuck(t)
	exec(t, db, awkwardDDL)
	q := duckQuerier{db}
	duck, shared := newDuckDB(), portableDialect{newDuckDB()}
	values := func(d Dialect, where string) ([]*string, string) {
		var aggs []aggregate
		for _, c := range awkwardColumns {
			aggs = append(aggs, columnMeasures(d, d.QuoteIdent(c.name), c.typ)...)
		}
		sql := aggregateSQL(d, "awk", where, aggs)
		res, err := q.Query(context.Background(), sql)
		if err != nil || len(res.Rows) != 1 || len(res.Rows[0]) != len(aggs) {
			t.Fatalf("%v, %d rows\n%s", err, len(res.Rows), sql)
		}
		return res.Rows[0], sql
	}
	for _, where := range []string{"", "k % 3 = 1"} {
		got, sql := values(duck, where)
		want, _ := values(shared, where)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("where %q: values (-shared SQL +duckdb SQL):\n%s", where, diff)
		}
		if separate := strings.Contains(sql, "CROSS JOIN"); separate != (where == "") {
			t.Errorf("where %q: CHAR extremes in scans of their own: %v\n%s", where, separate, sql)
		}
	}
}
