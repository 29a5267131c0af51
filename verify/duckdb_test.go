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

// rowHash computes, in Go and from the documented canonical text alone,
// the MD5 the engines compute for a row.
func rowHash(canon []*string) string {
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

// bucketOf is the fingerprint bucket of a row.
func bucketOf(canon []*string) int {
	b, _ := strconv.ParseInt(rowHash(canon)[31:], 16, 64)
	return int(b)
}

// goDigests computes every bucket's digest in Go.
func goDigests(rows [][]*string) map[int]string {
	type acc struct {
		n          int
		sum1, sum2 big.Int
	}
	accs := map[int]*acc{}
	for _, r := range rows {
		h := rowHash(r)
		b := bucketOf(r)
		if accs[b] == nil {
			accs[b] = &acc{}
		}
		a := accs[b]
		a.n++
		l1, _ := new(big.Int).SetString(h[0:15], 16)
		l2, _ := new(big.Int).SetString(h[15:30], 16)
		a.sum1.Add(&a.sum1, l1)
		a.sum2.Add(&a.sum2, l2)
	}
	out := map[int]string{}
	for b, a := range accs {
		out[b] = fmt.Sprintf("%d %s %s", a.n, a.sum1.String(), a.sum2.String())
	}
	return out
}
