package verify

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	mcemu "github.com/ferry-dev/ferry/internal/emulator/maxcompute"
	rsemu "github.com/ferry-dev/ferry/internal/emulator/redshift"
	"github.com/ferry-dev/ferry/internal/testserver/pg"
	"github.com/ferry-dev/ferry/provider"
	"github.com/ferry-dev/ferry/provider/maxcompute"
	"github.com/ferry-dev/ferry/provider/redshift"
)

// crossColumn is one column of the cross-engine table: its type in each
// engine, the planned MaxCompute type, and its literal per row.
type crossColumn struct {
	name           string
	redshift, duck string
	target         string
	values         []string // SQL literals valid in all three engines
	wantCanon      []any    // documented canonical text, nil for NULL
}

// crossColumns holds every type pair of the mapping. Literals are written
// as CAST('text' AS type), which all three engines read the same way.
// Row 4 is all NULL but the key; CHAR values carry trailing blanks that
// the canonical text drops; the VARCHAR has an empty string (row 3) apart
// from NULL (row 4) and a kept trailing blank (row 2).
var crossColumns = []crossColumn{
	{name: "c_int", redshift: "INTEGER", duck: "INTEGER", target: "INT",
		values:    []string{"2147483647", "-2147483648", "0", "NULL"},
		wantCanon: []any{"2147483647", "-2147483648", "0", nil}},
	{name: "c_big", redshift: "BIGINT", duck: "BIGINT", target: "BIGINT",
		values:    []string{"9223372036854775807", "-9223372036854775807", "42", "NULL"},
		wantCanon: []any{"9223372036854775807", "-9223372036854775807", "42", nil}},
	{name: "c_small", redshift: "SMALLINT", duck: "SMALLINT", target: "INT",
		values:    []string{"32767", "-32768", "7", "NULL"},
		wantCanon: []any{"32767", "-32768", "7", nil}},
	{name: "c_dec", redshift: "DECIMAL(15,2)", duck: "DECIMAL(15,2)", target: "DECIMAL(15,2)",
		values:    []string{"'9999999999999.99'", "'-0.01'", "'0'", "NULL"},
		wantCanon: []any{"9999999999999.99", "-0.01", "0.00", nil}},
	{name: "c_dec38", redshift: "DECIMAL(38,10)", duck: "DECIMAL(38,10)", target: "DECIMAL(38,10)",
		values:    []string{"'1234567890123456789012345678.0123456789'", "'-0.0000000001'", "'5'", "NULL"},
		wantCanon: []any{"1234567890123456789012345678.0123456789", "-0.0000000001", "5.0000000000", nil}},
	{name: "c_char", redshift: "CHAR(5)", duck: "VARCHAR", target: "CHAR(5)",
		values:    []string{"'ab   '", "'abcde'", "''", "NULL"},
		wantCanon: []any{"ab", "abcde", "", nil}},
	{name: "c_var", redshift: "VARCHAR(20)", duck: "VARCHAR", target: "STRING",
		values:    []string{"'héllo, wörld'", "'tail '", "''", "NULL"},
		wantCanon: []any{"héllo, wörld", "tail ", "", nil}},
	{name: "c_bool", redshift: "BOOLEAN", duck: "BOOLEAN", target: "BOOLEAN",
		values:    []string{"'true'", "'false'", "'true'", "NULL"},
		wantCanon: []any{"true", "false", "true", nil}},
	{name: "c_date", redshift: "DATE", duck: "DATE", target: "DATE",
		values:    []string{"'2024-02-29'", "'1970-01-01'", "'0099-12-31'", "NULL"},
		wantCanon: []any{"2024-02-29", "1970-01-01", "0099-12-31", nil}},
	{name: "c_ts", redshift: "TIMESTAMP", duck: "TIMESTAMP", target: "TIMESTAMP",
		values:    []string{"'2024-01-31 12:34:56.123456'", "'1999-12-31 23:59:59.999999'", "'2000-01-01 00:00:00'", "NULL"},
		wantCanon: []any{"2024-01-31 12:34:56.123456", "1999-12-31 23:59:59.999999", "2000-01-01 00:00:00.000000", nil}},
	{name: "c_dbl", redshift: "DOUBLE PRECISION", duck: "DOUBLE", target: "DOUBLE",
		values:    []string{"'0.1'", "'-123.456'", "'1e20'", "NULL"},
		wantCanon: []any{"1.00000000000e-1", "-1.23456000000e2", "1.00000000000e20", nil}},
}

// crossRows is the number of rows of the cross-engine table; row i has
// key i+1.
const crossRows = 4

// insertSQL renders the table's INSERT with every value cast to typeOf
// the column, in one engine's spelling.
func crossInsert(table string, typeOf func(crossColumn) string) string {
	var rows []string
	for r := 0; r < crossRows; r++ {
		vals := []string{fmt.Sprint(r + 1)}
		for _, c := range crossColumns {
			vals = append(vals, fmt.Sprintf("CAST(%s AS %s)", c.values[r], typeOf(c)))
		}
		rows = append(rows, "("+strings.Join(vals, ", ")+")")
	}
	return "INSERT INTO " + table + " VALUES " + strings.Join(rows, ", ")
}

// crossCheck is the fingerprint-level check of the cross-engine table.
func crossCheck(src, dst string) TableCheck {
	cols := []ColumnPair{{Source: "k", Target: "k", Type: FamilyOf("INT"), TargetType: "INT"}}
	for _, c := range crossColumns {
		cols = append(cols, ColumnPair{Source: c.name, Target: c.name, Type: FamilyOf(c.target), TargetType: c.target})
	}
	return TableCheck{SourceTable: src, TargetTable: dst, Columns: cols, Level: LevelFingerprint,
		ManifestRows: crossRows, SourceRowsAtUnload: crossRows, Key: []string{"k"}}
}

// crossEngines starts the three engines, each holding the table "t".
func crossEngines(t *testing.T) (duck, rs, mc provider.Querier, mcTarget *maxcompute.Target) {
	t.Helper()
	ctx := context.Background()

	db := openDuck(t)
	var ddl []string
	for _, c := range crossColumns {
		ddl = append(ddl, c.name+" "+c.duck)
	}
	exec(t, db, "CREATE TABLE t (k INTEGER, "+strings.Join(ddl, ", ")+")",
		crossInsert("t", func(c crossColumn) string { return c.duck }))
	duck = duckQuerier{db}

	p := pg.Start(t)
	up, err := pgx.Connect(ctx, p.DSN())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { up.Close(context.Background()) })
	ddl = ddl[:0]
	for _, c := range crossColumns {
		ddl = append(ddl, c.name+" "+c.redshift)
	}
	for _, s := range append(redshiftShims,
		"CREATE TABLE public.t (k INTEGER, "+strings.Join(ddl, ", ")+")",
		crossInsert("public.t", func(c crossColumn) string { return c.redshift })) {
		if _, err := up.Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	const password = "verify-Pa55"
	root := t.TempDir()
	if err := os.Mkdir(filepath.Join(root, "bkt"), 0o755); err != nil {
		t.Fatal(err)
	}
	front := rsemu.Start(t, rsemu.Options{Upstream: p.DSN(), Password: password, Store: rsemu.DirStore{Root: root}})
	src, err := redshift.New(ctx, redshift.Config{Host: front.Host, Port: front.Port, Database: p.Database,
		User: "awsuser", Password: password, SSLMode: "disable", S3: redshift.DirObjects{Root: root}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { src.Close() })
	rs = src

	srv := mcemu.Start(t, mcemu.Options{Project: "verify", AccessKeyID: "ak", AccessKeySecret: "sk"})
	mcTarget, err = maxcompute.New(ctx, maxcompute.Config{Endpoint: srv.Endpoint, Project: "verify",
		AccessKeyID: "ak", AccessKeySecret: "sk"})
	if err != nil {
		t.Fatal(err)
	}
	spec := provider.TableSpec{Name: "t", Columns: []provider.Column{{Name: "k", Type: "INT", Nullable: true}}}
	for _, c := range crossColumns {
		spec.Columns = append(spec.Columns, provider.Column{Name: c.name, Type: c.target, Nullable: true})
	}
	if err := mcTarget.CreateTable(ctx, spec); err != nil {
		t.Fatal(err)
	}
	if _, err := mcTarget.Query(ctx, crossInsert("t", func(c crossColumn) string { return c.target })); err != nil {
		t.Fatal(err)
	}
	return duck, rs, mcTarget, mcTarget
}

// redshiftShims defines, in the PostgreSQL behind the Redshift front, the
// one Redshift function the verify SQL uses that PostgreSQL lacks:
// STRTOL(text, base), here for base 16 only, which is all verify asks of it.
var redshiftShims = []string{
	`CREATE OR REPLACE FUNCTION public.strtol(s text, base integer) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT AS
$$ SELECT CASE WHEN base = 16 THEN ('x' || lpad(s, 16, '0'))::bit(64)::bigint END $$`,
}

// TestCanonicalAcrossEngines proves that the three dialects' SQL yields the
// same canonical text for the same data, column by column, and that the
// aggregates and fingerprint reports then match.
func TestCanonicalAcrossEngines(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL and the MaxCompute emulator")
	}
	ctx := context.Background()
	duck, rs, mc, target := crossEngines(t)
	engines := []struct {
		name string
		q    provider.Querier
	}{{"duckdb", duck}, {"redshift", rs}, {"maxcompute", mc}}

	for _, c := range crossColumns {
		t.Run(c.name, func(t *testing.T) {
			typ := FamilyOf(c.target)
			var want []*string
			for _, v := range c.wantCanon {
				if s, ok := v.(string); ok {
					want = append(want, &s)
				} else {
					want = append(want, nil)
				}
			}
			for _, e := range engines {
				d, err := DialectFor(e.q.Dialect())
				if err != nil {
					t.Fatal(err)
				}
				sql := fmt.Sprintf("SELECT %s AS v FROM %s ORDER BY %s",
					d.Canonical(d.QuoteIdent(c.name), typ), d.QuoteTable("t"), d.QuoteIdent("k"))
				res, err := e.q.Query(ctx, sql)
				if err != nil {
					t.Fatalf("%s: %v\n%s", e.name, err, sql)
				}
				var got []*string
				for _, r := range res.Rows {
					got = append(got, r[0])
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%s canonical text (-want +got):\n%s", e.name, diff)
				}
			}
		})
	}

	tables, err := target.Tables(ctx)
	if err != nil || len(tables) != 1 {
		t.Fatalf("target tables: %v, %v", tables, err)
	}
	check := func(src string) TableCheck {
		c := crossCheck(src, "t")
		c.TargetColumns = tables[0].Columns
		return c
	}
	fromDuck, err := Run(ctx, duck, mc, check("t"), nil)
	if err != nil {
		t.Fatal(err)
	}
	fromRedshift, err := Run(ctx, rs, mc, check("public.t"), nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, r := range map[string]*Report{"duckdb→maxcompute": fromDuck, "redshift→maxcompute": fromRedshift} {
		if !r.Passed {
			t.Errorf("%s failed: %s", name, r.Summary())
		}
	}
	// The same checks, with the same values, on both pairs: DuckDB and
	// Redshift agree with each other as well as with MaxCompute.
	values := func(r *Report) map[string]string {
		out := map[string]string{}
		for _, c := range r.Checks {
			if c.Name != "schema" {
				out[c.Name] = c.Source + " | " + c.Target
			}
		}
		return out
	}
	if diff := cmp.Diff(values(fromDuck), values(fromRedshift)); diff != "" {
		t.Errorf("checks differ between duckdb and redshift sources (-duckdb +redshift):\n%s", diff)
	}
	if n := len(values(fromDuck)); n < 40 {
		t.Errorf("only %d checks compared", n)
	}

	// The engines' fingerprint equals the one computed in Go from the
	// documented canonical text.
	var rows [][]*string
	for r := 0; r < crossRows; r++ {
		row := c(fmt.Sprint(r + 1))
		for _, col := range crossColumns {
			row = append(row, c(col.wantCanon[r])...)
		}
		rows = append(rows, row)
	}
	types := []ColumnType{FamilyOf("INT")}
	for _, col := range crossColumns {
		types = append(types, FamilyOf(col.target))
	}
	spec := specDigests(t, md5Hash, rows, types)
	for b := 0; b < fingerprintBuckets; b++ {
		want, ok := spec[b]
		if !ok {
			want = md5Hash.emptyDigest()
		}
		if got := values(fromRedshift)[fmt.Sprintf("fingerprint:bucket %d", b)]; got != want+" | "+want {
			t.Errorf("bucket %d: engines %q, spec %q", b, got, want)
		}
	}

	t.Run("samples", func(t *testing.T) { crossSamples(t, rs, target) })
}

// crossSamples loads a copy of t into t2 without row 3 and with one
// VARCHAR changed in row 2, and checks the samples the Redshift and
// MaxCompute sampling statements find.
func crossSamples(t *testing.T, rs provider.Querier, target *maxcompute.Target) {
	ctx := context.Background()
	spec := provider.TableSpec{Name: "t2", Columns: []provider.Column{{Name: "k", Type: "INT", Nullable: true}}}
	sel := []string{"k"}
	for _, c := range crossColumns {
		spec.Columns = append(spec.Columns, provider.Column{Name: c.name, Type: c.target, Nullable: true})
		if c.name == "c_var" {
			sel = append(sel, "CASE WHEN k = 2 THEN 'tail!' ELSE c_var END")
		} else {
			sel = append(sel, c.name)
		}
	}
	if err := target.CreateTable(ctx, spec); err != nil {
		t.Fatal(err)
	}
	if _, err := target.Query(ctx, "INSERT INTO t2 SELECT "+strings.Join(sel, ", ")+" FROM t WHERE k <> 3"); err != nil {
		t.Fatal(err)
	}
	r, err := Run(ctx, rs, target, crossCheck("public.t", "t2"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"2 both c_var", "3 source only "}, sampleKeys(r.Samples)); diff != "" {
		t.Errorf("samples (-want +got):\n%s\nnote: %s", diff, r.SampleNote)
	}
}
