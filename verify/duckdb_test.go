package verify

import (
	"context"
	"crypto/md5"
	"database/sql"
	"encoding/hex"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/ferry-dev/ferry/provider"
)

// duckQuerier is a provider.Querier over an in-memory DuckDB, standing in
// for both engines in tests. The statements verify builds cast every value
// to text already; the conversions below only serve hand-written queries.
type duckQuerier struct{ db *sql.DB }

var _ provider.Querier = duckQuerier{}

func (q duckQuerier) Dialect() string { return "duckdb" }

func (q duckQuerier) Query(ctx context.Context, query string) (*provider.Result, error) {
	rows, err := q.db.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	res := &provider.Result{Columns: cols, Rows: [][]*string{}}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		row := make([]*string, len(cols))
		for i, v := range vals {
			row[i] = text(v)
		}
		res.Rows = append(res.Rows, row)
	}
	return res, rows.Err()
}

func text(v any) *string {
	var s string
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		s = x
	case []byte:
		s = string(x)
	case int64:
		s = strconv.FormatInt(x, 10)
	case int32:
		s = strconv.FormatInt(int64(x), 10)
	case float64:
		s = strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		s = strconv.FormatBool(x)
	case time.Time:
		s = x.UTC().Format("2006-01-02 15:04:05.000000")
	default:
		s = fmt.Sprint(x)
	}
	return &s
}

// openDuck opens a fresh in-memory DuckDB.
func openDuck(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	// One connection: an in-memory database lives per connection pool,
	// and the tables must be visible to every statement.
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

func exec(t *testing.T, db *sql.DB, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// fixtureColumns is the test table: one column per family that DuckDB
// can hold. "code" stands for a CHAR(n) column: DuckDB has no padded CHAR,
// so it stores the padding explicitly and is verified as Char.
var fixtureColumns = []ColumnPair{
	{Source: "id", Target: "id", Type: ColumnType{Family: Integer}},
	{Source: "big", Target: "big", Type: ColumnType{Family: Integer}},
	{Source: "price", Target: "price", Type: ColumnType{Family: Decimal, Scale: 2}},
	{Source: "day", Target: "day", Type: ColumnType{Family: Date}},
	{Source: "name", Target: "name", Type: ColumnType{Family: String}},
	{Source: "code", Target: "code", Type: ColumnType{Family: Char}},
	{Source: "flag", Target: "flag", Type: ColumnType{Family: Bool}},
	{Source: "ratio", Target: "ratio", Type: ColumnType{Family: Float}},
	{Source: "ts", Target: "ts", Type: ColumnType{Family: Timestamp}},
}

const fixtureDDL = `CREATE TABLE %s (id INTEGER, big BIGINT, price DECIMAL(15,2), day DATE,
 name VARCHAR, code VARCHAR, flag BOOLEAN, ratio DOUBLE, ts TIMESTAMP)`

// fixtureRow is one row as inserted and as its documented canonical text
// (nil for NULL). Rows 3 and 4 differ only in a same-length, middle-valued
// name, the difference no aggregate can see.
type fixtureRow struct {
	values string
	canon  []*string
}

var fixtureRows = []fixtureRow{
	{`1, 9000000000, 12.50, '2024-01-31', 'alpha', 'AB  ', true, 0.5, '2024-01-31 12:34:56.123456'`,
		c("1", "9000000000", "12.50", "2024-01-31", "alpha", "AB", "true", "5.00000000000e-1", "2024-01-31 12:34:56.123456")},
	{`2, -5, -0.01, '1999-12-31', 'bravo', 'CD', false, 123.456, '2000-01-01 00:00:00'`,
		c("2", "-5", "-0.01", "1999-12-31", "bravo", "CD", "false", "1.23456000000e2", "2000-01-01 00:00:00.000000")},
	{`3, 42, 100.00, '2020-02-29', 'carol', 'EF ', true, -2.5e-3, '2020-02-29 23:59:59.999999'`,
		c("3", "42", "100.00", "2020-02-29", "carol", "EF", "true", "-2.50000000000e-3", "2020-02-29 23:59:59.999999")},
	{`3, 42, 100.00, '2020-02-29', 'carla', 'EF ', true, -2.5e-3, '2020-02-29 23:59:59.999999'`,
		c("3", "42", "100.00", "2020-02-29", "carla", "EF", "true", "-2.50000000000e-3", "2020-02-29 23:59:59.999999")},
	{`5, NULL, NULL, NULL, '', NULL, NULL, NULL, NULL`,
		c("5", nil, nil, nil, "", nil, nil, nil, nil)},
	{`6, 0, 0.00, '2024-06-01', '', 'GH', NULL, 0, '1970-01-01 00:00:00.000001'`,
		c("6", "0", "0.00", "2024-06-01", "", "GH", nil, "0", "1970-01-01 00:00:00.000001")},
	{`7, 7, 3.33, '2010-10-10', 'zulu', 'IJ', false, 1e20, '2010-10-10 10:10:10.5'`,
		c("7", "7", "3.33", "2010-10-10", "zulu", "IJ", "false", "1.00000000000e20", "2010-10-10 10:10:10.500000")},
	{`8, 8, 5.55, '2011-11-11', 'delta', 'KL', true, -7.25, '2011-11-11 11:11:11'`,
		c("8", "8", "5.55", "2011-11-11", "delta", "KL", "true", "-7.25000000000e0", "2011-11-11 11:11:11.000000")},
}

// c builds a canonical row from strings and nils.
func c(vals ...any) []*string {
	out := make([]*string, len(vals))
	for i, v := range vals {
		if s, ok := v.(string); ok {
			out[i] = &s
		}
	}
	return out
}

// newFixture creates tables src and dst holding the same rows.
func newFixture(t *testing.T) *sql.DB {
	t.Helper()
	db := openDuck(t)
	exec(t, db, fmt.Sprintf(fixtureDDL, "src"), fmt.Sprintf(fixtureDDL, "dst"))
	for _, r := range fixtureRows {
		exec(t, db, "INSERT INTO src VALUES ("+r.values+")")
	}
	exec(t, db, "INSERT INTO dst SELECT * FROM src")
	return db
}

// specMD5 computes, in Go and from the documented canonical text alone,
// the MD5 the engines compute for a row.
func specMD5(canon []*string) string {
	parts := make([]string, len(canon))
	for i, v := range canon {
		if v == nil {
			parts[i] = nullMarker
		} else {
			parts[i] = valueMarker + *v
		}
	}
	sum := md5.Sum([]byte(strings.Join(parts, string(rune(fieldSeparator)))))
	return hex.EncodeToString(sum[:])
}

// specDB is an in-memory DuckDB that computes the native row hash of
// literal values; hash() needs no table, so one database serves every
// test.
var specDB = sync.OnceValues(func() (*sql.DB, error) { return sql.Open("duckdb", "") })

// specNative computes the duckdb row hash from its definition and the
// documented canonical text alone: DuckDB's hash() of each canonical text
// cast to its family's DuckDB type, then of the bitmasks of the NULL
// columns, 62 columns per mask.
func specNative(t testing.TB, canon []*string, types []ColumnType) *big.Int {
	t.Helper()
	typeOf := map[Family]string{Integer: "BIGINT", Float: "DOUBLE", Bool: "BOOLEAN", String: "VARCHAR",
		Char: "VARCHAR", Date: "DATE", Timestamp: "TIMESTAMP", Other: "VARCHAR"}
	var args []string
	var mask int64
	for i, v := range canon {
		typ := typeOf[types[i].Family]
		if types[i].Family == Decimal {
			typ = fmt.Sprintf("DECIMAL(38,%d)", types[i].Scale)
		}
		switch {
		case v == nil:
			args = append(args, "CAST(NULL AS "+typ+")")
			mask |= 1 << (i % 62)
		case types[i].Family == Binary:
			args = append(args, "from_hex('"+*v+"')")
		default:
			args = append(args, fmt.Sprintf("CAST('%s' AS %s)", strings.ReplaceAll(*v, "'", "''"), typ))
		}
		if i%62 == 61 || i == len(canon)-1 {
			args = append(args, fmt.Sprint(mask))
			mask = 0
		}
	}
	db, err := specDB()
	if err != nil {
		t.Fatal(err)
	}
	var h string
	q := "SELECT CAST(hash(" + strings.Join(args, ", ") + ") AS VARCHAR)"
	if err := db.QueryRow(q).Scan(&h); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	n, ok := new(big.Int).SetString(h, 10)
	if !ok {
		t.Fatalf("hash %q", h)
	}
	return n
}

// specBucket is the fingerprint bucket of a row under hash h.
func specBucket(t testing.TB, h rowHash, canon []*string, types []ColumnType) int {
	if h == nativeHash {
		return int(new(big.Int).Mod(specNative(t, canon, types), big.NewInt(fingerprintBuckets)).Int64())
	}
	b, _ := strconv.ParseInt(specMD5(canon)[31:], 16, 64)
	return int(b)
}

// specDigests computes every bucket's digest under hash h from the
// documented definitions.
func specDigests(t testing.TB, h rowHash, rows [][]*string, types []ColumnType) map[int]string {
	type acc struct {
		n    int
		sums [2]big.Int
	}
	accs := map[int]*acc{}
	for _, r := range rows {
		b := specBucket(t, h, r, types)
		if accs[b] == nil {
			accs[b] = &acc{}
		}
		a := accs[b]
		a.n++
		if h == nativeHash {
			a.sums[0].Add(&a.sums[0], specNative(t, r, types))
			continue
		}
		m := specMD5(r)
		l1, _ := new(big.Int).SetString(m[0:15], 16)
		l2, _ := new(big.Int).SetString(m[15:30], 16)
		a.sums[0].Add(&a.sums[0], l1)
		a.sums[1].Add(&a.sums[1], l2)
	}
	out := map[int]string{}
	for b, a := range accs {
		out[b] = fmt.Sprintf("%d %s", a.n, a.sums[0].String())
		if h == md5Hash {
			out[b] += " " + a.sums[1].String()
		}
	}
	return out
}

// fixtureTypes are the fixture's column types, in column order.
func fixtureTypes() []ColumnType {
	out := make([]ColumnType, len(fixtureColumns))
	for i, c := range fixtureColumns {
		out[i] = c.Type
	}
	return out
}
