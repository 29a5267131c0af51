package redshift

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferry-dev/ferry/internal/testserver/pg"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// startFront runs PostgreSQL with a front over a DirStore holding the
// bucket "bkt", with table t(id int, name varchar(10), amount numeric(9,2)).
func startFront(t *testing.T, opts Options) (*Front, string) {
	t.Helper()
	p := pg.Start(t)
	ctx := context.Background()
	up, err := pgx.Connect(ctx, p.DSN())
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close(ctx)
	if _, err := up.Exec(ctx, `CREATE TABLE t (id integer NOT NULL, name varchar(10), amount numeric(9,2));
		INSERT INTO t SELECT g, 'n' || g, g * 1.25 FROM generate_series(1, 100) g;
		CREATE TABLE empty_t (x smallint)`); err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	if err := os.Mkdir(filepath.Join(root, "bkt"), 0o755); err != nil {
		t.Fatal(err)
	}
	opts.Upstream = p.DSN()
	opts.Store = DirStore{Root: root}
	return Start(t, opts), root
}

func connect(t *testing.T, f *Front, password string) (*pgx.Conn, error) {
	t.Helper()
	return pgx.Connect(context.Background(), fmt.Sprintf("host=%s port=%d user=awsuser password=%s dbname=postgres sslmode=disable", f.Host, f.Port, password))
}

func TestFrontPasswordAndPassThrough(t *testing.T) {
	for _, auth := range []string{"md5", "cleartext"} {
		t.Run(auth, func(t *testing.T) {
			f, _ := startFront(t, Options{Password: "s3cret", Auth: auth})
			if _, err := connect(t, f, "wrong"); err == nil || !strings.Contains(err.Error(), "28P01") {
				t.Fatalf("wrong password: err = %v, want SQLSTATE 28P01", err)
			}
			conn, err := connect(t, f, "s3cret")
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(context.Background())
			var n int
			var sum string
			// Extended protocol with a parameter, then the simple protocol.
			if err := conn.QueryRow(context.Background(), "SELECT count(*), sum(amount)::text FROM t WHERE id > $1", 50).Scan(&n, &sum); err != nil {
				t.Fatal(err)
			}
			if n != 50 || sum != "4718.75" {
				t.Errorf("got %d, %s; want 50, 4718.75", n, sum)
			}
			if _, err := conn.Exec(context.Background(), "SELECT nosuchcolumn FROM t"); err == nil {
				t.Fatal("a bad column did not fail")
			}
			if err := conn.QueryRow(context.Background(), "SELECT count(*) FROM t", pgx.QueryExecModeSimpleProtocol).Scan(&n); err != nil || n != 100 {
				t.Fatalf("after an error: %d, %v", n, err)
			}
		})
	}
}

func TestFrontUnloadExtendedProtocol(t *testing.T) {
	f, root := startFront(t, Options{})
	conn, err := connect(t, f, "")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	defer conn.Close(ctx)
	q := `UNLOAD ('SELECT id, name, amount FROM t WHERE name <> ''n1''') TO 's3://bkt/out/' IAM_ROLE default FORMAT PARQUET MANIFEST VERBOSE`
	rows, err := conn.Query(ctx, q, pgx.QueryExecModeCacheStatement)
	if err != nil {
		t.Fatal(err)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	var m manifest
	b, err := os.ReadFile(filepath.Join(root, "bkt", "out", "manifest"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Entries) != 1 || m.Entries[0].URL != "s3://bkt/out/0000_part_00.parquet" || m.Meta.RecordCount != 99 {
		t.Fatalf("manifest %s", b)
	}
	var n int64
	if err := conn.QueryRow(ctx, "SELECT pg_last_unload_count()").Scan(&n); err != nil || n != 99 {
		t.Fatalf("pg_last_unload_count() = %d, %v; want 99", n, err)
	}
	// The destination now holds files: a second UNLOAD fails, in the
	// extended protocol too, and the session goes on.
	rows, _ = conn.Query(ctx, q, pgx.QueryExecModeCacheStatement)
	rows.Close()
	if err := rows.Err(); err == nil || !strings.Contains(err.Error(), "ALLOWOVERWRITE") {
		t.Fatalf("second UNLOAD: err = %v", err)
	}
	if _, err := conn.Exec(ctx, strings.Replace(q, "VERBOSE", "VERBOSE CLEANPATH", 1)); err != nil {
		t.Fatalf("UNLOAD with CLEANPATH: %v", err)
	}
}

func TestFrontCatalogViews(t *testing.T) {
	f, _ := startFront(t, Options{})
	conn, err := connect(t, f, "")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	defer conn.Close(ctx)
	var tables []string
	rows, _ := conn.Query(ctx, `SELECT "table" || ':' || tbl_rows || ':' || size FROM svv_table_info ORDER BY 1`)
	tables, err = pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(tables, ",") != "t:100:1" {
		t.Errorf("svv_table_info = %v, want [t:100:1] (empty tables are not listed)", tables)
	}
	rows, _ = conn.Query(ctx, `SELECT column_name || ' ' || data_type || coalesce('(' || character_maximum_length || ')', '') ||
		coalesce('(' || numeric_precision || ',' || numeric_scale || ')', '') FROM svv_columns WHERE table_name = 't' ORDER BY ordinal_position`)
	cols, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if want := "id integer(32,0),name character varying(10),amount numeric(9,2)"; strings.Join(cols, ",") != want {
		t.Errorf("svv_columns = %v, want %s", cols, want)
	}
}

func TestFrontFaults(t *testing.T) {
	f, _ := startFront(t, Options{Faults: Faults{ErrorRate: 1, Only: "SELECT", Code: "57014"}})
	conn, err := connect(t, f, "")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	defer conn.Close(ctx)
	var pgErr *pgconn.PgError
	if _, err := conn.Exec(ctx, "SELECT 1"); !errors.As(err, &pgErr) || pgErr.Code != "57014" {
		t.Fatalf("err = %v, want injected 57014", err)
	}
	if _, err := conn.Exec(ctx, "SET search_path TO public"); err != nil {
		t.Fatalf("a statement the faults do not target failed: %v", err)
	}

	f2, _ := startFront(t, Options{Faults: Faults{ResetRate: 1, Only: "SELECT"}})
	conn2, err := connect(t, f2, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn2.Exec(ctx, "SELECT 1"); err == nil || !conn2.IsClosed() {
		t.Fatalf("reset: err = %v, closed = %v", err, conn2.IsClosed())
	}
}

func TestFrontUnloadPartitionBy(t *testing.T) {
	f, root := startFront(t, Options{})
	conn, err := connect(t, f, "")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE TABLE pt (id integer, region varchar(20), amount numeric(9,2), blob bytea);
		INSERT INTO pt SELECT g, CASE WHEN g % 4 = 0 THEN NULL WHEN g % 4 = 1 THEN 'north east' ELSE 'south/x' END,
		g * 0.5, '\x00ff' FROM generate_series(1, 40) g`); err != nil {
		t.Fatal(err)
	}
	readManifest := func(key string) manifest {
		t.Helper()
		var m manifest
		b, err := os.ReadFile(filepath.Join(root, "bkt", filepath.FromSlash(key)))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	// The prefix lacks its "/": Redshift adds one.
	if _, err := conn.Exec(ctx, `UNLOAD ('SELECT id, region, amount FROM pt') TO 's3://bkt/p' IAM_ROLE default
		FORMAT PARQUET MANIFEST VERBOSE PARTITION BY (region)`); err != nil {
		t.Fatal(err)
	}
	m := readManifest("p/manifest")
	var urls []string
	var total int64
	for _, e := range m.Entries {
		urls = append(urls, e.URL)
		total += e.Meta.RecordCount
	}
	want := []string{
		"s3://bkt/p/region=__HIVE_DEFAULT_PARTITION__/0000_part_00.parquet",
		"s3://bkt/p/region=north%20east/0000_part_00.parquet",
		"s3://bkt/p/region=south%2Fx/0000_part_00.parquet",
	}
	if strings.Join(urls, " ") != strings.Join(want, " ") || total != 40 || m.Meta.RecordCount != 40 {
		t.Fatalf("manifest entries %v (%d records), want %v and 40", urls, total, want)
	}
	for _, e := range m.Schema.Elements {
		if e["name"] == "region" {
			t.Errorf("manifest schema lists the partition column: %v", m.Schema.Elements)
		}
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fileOf := func(url string) string {
		return filepath.Join(root, filepath.FromSlash(strings.TrimPrefix(url, "s3://")))
	}
	var cols string
	var n int64
	if err := db.QueryRow("SELECT string_agg(name, ',') FROM parquet_schema(?) WHERE name <> 'duckdb_schema'", fileOf(want[1])).Scan(&cols); err != nil {
		t.Fatal(err)
	}
	if cols != "id,amount" {
		t.Errorf("columns of %s: %s, want id,amount", want[1], cols)
	}
	if err := db.QueryRow("SELECT count(*) FROM read_parquet(?, hive_partitioning = false) WHERE id % 4 <> 1", fileOf(want[1])).Scan(&n); err != nil || n != 0 {
		t.Errorf("rows of another partition in %s: %d, %v", want[1], n, err)
	}

	// INCLUDE keeps the column in the files.
	if _, err := conn.Exec(ctx, `UNLOAD ('SELECT id, region, amount FROM pt') TO 's3://bkt/inc/' IAM_ROLE default
		FORMAT PARQUET MANIFEST VERBOSE PARTITION BY (region) INCLUDE`); err != nil {
		t.Fatal(err)
	}
	m = readManifest("inc/manifest")
	if len(m.Entries) != 3 {
		t.Fatalf("INCLUDE: %d entries", len(m.Entries))
	}
	var region string
	if err := db.QueryRow("SELECT DISTINCT region FROM read_parquet(?, hive_partitioning = false)", fileOf(m.Entries[1].URL)).Scan(&region); err != nil || region != "north east" {
		t.Errorf("INCLUDE: region in %s = %q, %v", m.Entries[1].URL, region, err)
	}

	for _, tc := range []struct{ stmt, code, want string }{
		{`UNLOAD ('SELECT id, blob FROM pt') TO 's3://bkt/v/' IAM_ROLE default FORMAT PARQUET PARTITION BY (blob)`,
			"0A000", `partition column "blob" has type varbyte`},
		{`UNLOAD ('SELECT region FROM pt') TO 's3://bkt/v/' IAM_ROLE default FORMAT PARQUET PARTITION BY (region)`,
			"0A000", "at least one column must remain"},
		{`UNLOAD ('SELECT id FROM pt') TO 's3://bkt/v/' IAM_ROLE default FORMAT PARQUET PARTITION BY (nope)`,
			"42703", `partition column "nope" does not exist`},
	} {
		var pgErr *pgconn.PgError
		if _, err := conn.Exec(ctx, tc.stmt); !errors.As(err, &pgErr) || pgErr.Code != tc.code || !strings.Contains(pgErr.Message, tc.want) {
			t.Errorf("%s: err = %v, want %s %q", tc.stmt, err, tc.code, tc.want)
		}
	}
	if _, err := os.Stat(filepath.Join(root, "bkt", "v")); !os.IsNotExist(err) {
		t.Errorf("a refused UNLOAD wrote files: %v", err)
	}
}
