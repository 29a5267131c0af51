package redshift

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	emulator "github.com/ferry-dev/ferry/internal/emulator/redshift"
	"github.com/ferry-dev/ferry/provider"
	"github.com/ferry-dev/ferry/provider/typemap"
	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgconn"
)

func TestTables(t *testing.T) {
	e := newEnv(t, emulator.Faults{})
	tables, err := e.source(t).Tables(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) != 2 || tables[0].Name != "empty_t" || tables[1].Name != "lineitem" {
		t.Fatalf("tables %+v", tables)
	}
	empty := tables[0]
	if empty.Rows != 0 || empty.Bytes != 0 || empty.Version != "0:0" {
		t.Errorf("empty table (absent from SVV_TABLE_INFO): rows %d, bytes %d, version %q", empty.Rows, empty.Bytes, empty.Version)
	}
	li := tables[1]
	want := []provider.Column{
		{Name: "l_orderkey", Type: "BIGINT"},
		{Name: "l_linenumber", Type: "INTEGER"},
		{Name: "l_quantity", Type: "SMALLINT", Nullable: true},
		{Name: "l_extendedprice", Type: "NUMERIC(15,2)"},
		{Name: "l_shipdate", Type: "DATE"},
		{Name: "l_returnflag", Type: "CHARACTER(1)"},
		{Name: "l_comment", Type: "CHARACTER VARYING(44)", Nullable: true, Comment: "free text"},
		{Name: "l_ts", Type: "TIMESTAMP WITHOUT TIME ZONE", Nullable: true},
	}
	if diff := cmp.Diff(want, li.Columns); diff != "" {
		t.Errorf("columns (-want +got):\n%s", diff)
	}
	for _, c := range append(li.Columns, empty.Columns...) {
		if _, err := typemap.ParseRedshift(c.Type); err != nil {
			t.Errorf("typemap rejects %s %s: %v", c.Name, c.Type, err)
		}
	}
	blocks := e.pgString(t, "SELECT ceil(pg_total_relation_size('public.lineitem') / 1048576.0)::bigint::text")
	if li.Rows != 20000 || li.Bytes <= 0 || li.Bytes%(1<<20) != 0 || li.Version != "20000:"+strconv.FormatInt(li.Bytes, 10) || strconv.FormatInt(li.Bytes>>20, 10) != blocks {
		t.Errorf("lineitem rows %d, bytes %d, version %q; want 20000 rows, %s MB blocks", li.Rows, li.Bytes, li.Version, blocks)
	}
}

func TestWrongPassword(t *testing.T) {
	e := newEnv(t, emulator.Faults{})
	cfg := e.cfg
	cfg.Password = "hunter2-wrong"
	_, err := New(context.Background(), cfg)
	if err == nil {
		t.Fatal("a wrong password connected")
	}
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "28P01" {
		t.Errorf("err = %v, want SQLSTATE 28P01", err)
	}
	if !strings.Contains(err.Error(), "password authentication failed") {
		t.Errorf("err = %v, want a clear password failure", err)
	}
	if strings.Contains(err.Error(), cfg.Password) || strings.Contains(err.Error(), testPassword) {
		t.Errorf("err leaks the password: %v", err)
	}
}

func TestQueryCanonicalStrings(t *testing.T) {
	e := newEnv(t, emulator.Faults{})
	res, err := e.source(t).Query(context.Background(), `SELECT l_extendedprice, l_shipdate, l_ts, l_returnflag, l_quantity,
		sum(l_extendedprice) OVER () AS total, true AS yes, 0.1::float8 AS f,
		timestamptz '2024-03-01 12:00:00+02' AS tz, NULL::integer AS nothing
		FROM lineitem WHERE l_orderkey = 14 AND l_linenumber = 7 ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	str := func(s string) *string { return &s }
	total := e.pgString(t, "SELECT sum(l_extendedprice)::text FROM lineitem WHERE l_orderkey = 14 AND l_linenumber = 7")
	want := &provider.Result{
		Columns: []string{"l_extendedprice", "l_shipdate", "l_ts", "l_returnflag", "l_quantity", "total", "yes", "f", "tz", "nothing"},
		// g = 97: NULL quantity; price (97*7919 % 100000)/100 + 900.
		Rows: [][]*string{{str("1581.43"), str("1992-04-07"), str("1995-06-01 00:01:48.975232"), str("A"), nil,
			str(total), str("true"), str("0.1"), str("2024-03-01 10:00:00.000000"), nil}},
	}
	if diff := cmp.Diff(want, res); diff != "" {
		t.Errorf("result (-want +got):\n%s", diff)
	}
}

func TestQueryRetriesLostConnections(t *testing.T) {
	e := newEnv(t, emulator.Faults{ResetRate: 0.3, Only: "SELECT", Seed: 3})
	s := e.source(t)
	for i := range 10 {
		res, err := s.Query(context.Background(), "SELECT count(*) FROM lineitem")
		if err != nil {
			t.Fatalf("query %d: %v", i, err)
		}
		if got := *res.Rows[0][0]; got != "20000" {
			t.Fatalf("query %d: count %s", i, got)
		}
	}
	if resets, _ := e.front.InjectedFaults(); resets == 0 {
		t.Fatal("no connection was reset: the retry path was not exercised")
	}
}
