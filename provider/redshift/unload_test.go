package redshift

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
	emulator "github.com/ferry-dev/ferry/internal/emulator/redshift"
	"github.com/ferry-dev/ferry/provider"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// lineitemSelect is shaped like the SELECT ferry builds, with a WHERE
// whose string literals (a quote, a backslash) must survive UNLOAD's
// quoting.
const lineitemSelect = `SELECT "l_orderkey" AS "l_orderkey", "l_linenumber" AS "l_linenumber",
  CAST("l_quantity" AS INTEGER) AS "l_quantity", "l_extendedprice" AS "l_extendedprice",
  "l_shipdate" AS "l_shipdate", "l_returnflag" AS "l_returnflag", "l_comment" AS "l_comment", "l_ts" AS "l_ts"
FROM "public"."lineitem"
WHERE "l_returnflag" = 'R' AND "l_comment" NOT LIKE 'it''s line 3%' AND "l_comment" <> 'back\slash 1'`

// checks are aggregates compared exactly between PostgreSQL and DuckDB
// reading the unloaded files.
var checks = []struct{ name, pg, duck string }{
	{"count", "count(*)::text", "count(*)::varchar"},
	{"sum price", "sum(l_extendedprice)::text", "sum(l_extendedprice)::varchar"},
	{"sum quantity", "sum(l_quantity)::text", "sum(l_quantity)::varchar"},
	{"null quantities", "count(*) FILTER (WHERE l_quantity IS NULL)::text", "count(*) FILTER (WHERE l_quantity IS NULL)::varchar"},
	{"min date", "min(l_shipdate)::text", "min(l_shipdate)::varchar"},
	{"max ts", "to_char(max(l_ts), 'YYYY-MM-DD HH24:MI:SS.US')", "strftime(max(l_ts), '%Y-%m-%d %H:%M:%S.%f')"},
	{"quoted comments", "count(*) FILTER (WHERE l_comment LIKE 'it''s%')::text", "count(*) FILTER (WHERE l_comment LIKE 'it''s%')::varchar"},
	{"backslash comments", `count(*) FILTER (WHERE strpos(l_comment, '\') > 0)::text`, `count(*) FILTER (WHERE strpos(l_comment, '\') > 0)::varchar`},
	{"comment checksum", "md5(string_agg(l_comment, ',' ORDER BY l_orderkey, l_linenumber))", "md5(string_agg(l_comment, ',' ORDER BY l_orderkey, l_linenumber))"},
}

func TestUnload(t *testing.T) {
	e := newEnv(t, emulator.Faults{})
	s := e.source(t)
	ctx := context.Background()
	req := provider.UnloadRequest{Table: "public.lineitem", Select: lineitemSelect,
		DataURL: "s3://bkt/run-1/lineitem/data/", ManifestURL: "s3://bkt/run-1/lineitem/manifest.json", MaxFileSize: 5 << 20}
	m, err := s.Unload(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Entries) < 2 {
		t.Fatalf("%d files; MAXFILESIZE should have split the output", len(m.Entries))
	}
	dataDir := filepath.Join(e.root, "bkt", "run-1", "lineitem", "data")
	listed, _ := os.ReadDir(dataDir)
	if len(listed) != len(m.Entries) {
		t.Errorf("data folder holds %d objects, manifest lists %d (the manifest must have moved out)", len(listed), len(m.Entries))
	}
	var files []string
	var total provider.ManifestMeta
	for i, entry := range m.Entries {
		if want := fmt.Sprintf("%s0000_part_%02d.parquet", req.DataURL, i); entry.URL != want {
			t.Errorf("entry %d: %s, want %s", i, entry.URL, want)
		}
		path := filepath.Join(e.root, filepath.FromSlash(strings.TrimPrefix(entry.URL, "s3://")))
		info, err := os.Stat(path)
		if err != nil || info.Size() != entry.Meta.ContentLength {
			t.Errorf("entry %d: size %v (%v), manifest says %d", i, info, err, entry.Meta.ContentLength)
		}
		files = append(files, "'"+path+"'")
		total.ContentLength += entry.Meta.ContentLength
		total.RecordCount += entry.Meta.RecordCount
	}
	if total != m.Meta {
		t.Errorf("manifest meta %+v, entries sum to %+v", m.Meta, total)
	}
	if _, err := os.Stat(filepath.Join(e.root, "bkt", "run-1", "lineitem", "manifest.json")); err != nil {
		t.Errorf("manifest not at ManifestURL: %v", err)
	}

	duck, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer duck.Close()
	from := "read_parquet([" + strings.Join(files, ", ") + "])"
	where := strings.SplitN(lineitemSelect, "WHERE", 2)[1]
	for _, c := range checks {
		want := e.pgString(t, "SELECT "+c.pg+" FROM lineitem WHERE "+where)
		var got string
		if err := duck.QueryRow("SELECT " + c.duck + " FROM " + from).Scan(&got); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got != want {
			t.Errorf("%s: parquet %s, postgres %s", c.name, got, want)
		}
	}
	if got := e.pgString(t, "SELECT count(*)::text FROM lineitem WHERE "+where); got != fmt.Sprint(m.Meta.RecordCount) {
		t.Errorf("manifest record_count %d, postgres %s", m.Meta.RecordCount, got)
	}

	// Parquet physical and logical types as UNLOAD writes them.
	rows, err := duck.Query("SELECT name, type, coalesce(logical_type, converted_type, '') FROM parquet_schema(" + files[0] + ") WHERE type IS NOT NULL ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for rows.Next() {
		var name, typ, logical string
		if err := rows.Scan(&name, &typ, &logical); err != nil {
			t.Fatal(err)
		}
		got[name] = typ + " " + logical
	}
	rows.Close()
	for col, want := range map[string]string{"l_orderkey": "INT64", "l_linenumber": "INT32", "l_quantity": "INT32",
		"l_extendedprice": "INT64 DecimalType(scale=2, precision=15)", "l_shipdate": "INT32 DATE",
		"l_returnflag": "BYTE_ARRAY UTF8", "l_comment": "BYTE_ARRAY UTF8",
		"l_ts": "INT64 TimestampType(isAdjustedToUTC=0, unit=TimeUnit(MILLIS=<null>, MICROS=MicroSeconds()"} {
		if !strings.HasPrefix(got[col], want) {
			t.Errorf("%s: parquet type %q, want %q…", col, got[col], want)
		}
	}

	// The data folder is not empty now: UNLOAD refuses to overwrite.
	req.ManifestURL = "s3://bkt/run-1/lineitem/manifest-2.json"
	if _, err := s.Unload(ctx, req); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("second unload into the same folder: err = %v", err)
	}
}

func TestUnloadRejectedByRedshift(t *testing.T) {
	e := newEnv(t, emulator.Faults{})
	s := e.source(t)
	ctx := context.Background()
	_, err := s.Unload(ctx, provider.UnloadRequest{Table: "public.lineitem",
		Select:  `SELECT "l_orderkey" AS "l_orderkey" FROM "public"."lineitem" ORDER BY 1 LIMIT 10`,
		DataURL: "s3://bkt/limit/data/", ManifestURL: "s3://bkt/limit/manifest"})
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || !strings.Contains(pgErr.Message, "Limit clause") {
		t.Errorf("outer LIMIT: err = %v", err)
	}

	// HEADER is refused with PARQUET; sent over pgx directly since ferry
	// never writes it.
	conn, err := pgx.Connect(ctx, fmt.Sprintf("host=%s port=%d user=u password=%s dbname=postgres sslmode=disable",
		e.front.Host, e.front.Port, strings.ReplaceAll(testPassword, "'", `\'`)))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, `UNLOAD ('SELECT 1') TO 's3://bkt/h/' IAM_ROLE default FORMAT PARQUET HEADER`)
	if !errors.As(err, &pgErr) || pgErr.Code != "0A000" || !strings.Contains(pgErr.Message, "HEADER") {
		t.Errorf("HEADER with PARQUET: err = %v", err)
	}
}

func TestUnloadSQLRedactsKeys(t *testing.T) {
	s := &Source{cfg: Config{AccessKeyID: "AKIAEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG", SessionToken: "tok3n-value"}}
	got, err := s.UnloadSQL(provider.UnloadRequest{Select: `SELECT a FROM t WHERE s = 'R' AND p ~ '\d';`,
		DataURL: "s3://b/p/data/", MaxFileSize: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	want := `UNLOAD ('SELECT a FROM t WHERE s = ''R'' AND p ~ ''\\d''')
TO 's3://b/p/data/'
ACCESS_KEY_ID '(sensitive)' SECRET_ACCESS_KEY '(sensitive)' SESSION_TOKEN '(sensitive)'
FORMAT AS PARQUET
MANIFEST VERBOSE
MAXFILESIZE 1024 MB`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	err = s.scrub(errors.New("denied for wJalrXUtnFEMI/K7MDENG"))
	if strings.Contains(err.Error(), "wJalr") {
		t.Errorf("scrub kept the secret: %v", err)
	}
}

func TestUnloadPartitioned(t *testing.T) {
	e := newEnv(t, emulator.Faults{})
	s := e.source(t)
	ctx := context.Background()
	req := provider.UnloadRequest{Table: "public.lineitem",
		Select:  `SELECT "l_orderkey" AS "l_orderkey", "l_extendedprice" AS "l_extendedprice", "l_returnflag" AS "l_returnflag" FROM "public"."lineitem"`,
		DataURL: "s3://bkt/part/lineitem/data/", ManifestURL: "s3://bkt/part/lineitem/manifest.json", PartitionBy: []string{"l_returnflag"}}
	stmt, err := s.UnloadSQL(req)
	if err != nil || !strings.Contains(stmt, `PARTITION BY ("l_returnflag")`) || strings.Contains(stmt, "INCLUDE") {
		t.Fatalf("UnloadSQL = %s, %v", stmt, err)
	}
	if ds, err := (&DataSource{cfg: e.cfg}).UnloadSQL(req); err != nil || ds != stmt {
		t.Errorf("Data API UnloadSQL = %s, %v; want the same statement", ds, err)
	}
	m, err := s.Unload(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	var urls []string
	var total int64
	for _, entry := range m.Entries {
		urls = append(urls, entry.URL)
		total += entry.Meta.RecordCount
	}
	want := []string{req.DataURL + "l_returnflag=A/0000_part_00.parquet", req.DataURL + "l_returnflag=N/0000_part_00.parquet",
		req.DataURL + "l_returnflag=R/0000_part_00.parquet"}
	if strings.Join(urls, " ") != strings.Join(want, " ") || total != 20000 || m.Meta.RecordCount != 20000 {
		t.Fatalf("manifest %v with %d records, want %v and 20000", urls, total, want)
	}
	if _, err := os.Stat(filepath.Join(e.root, "bkt", "part", "lineitem", "data", "manifest")); !os.IsNotExist(err) {
		t.Errorf("the manifest stayed in the data folder: %v", err)
	}
	if _, err := os.Stat(filepath.Join(e.root, "bkt", "part", "lineitem", "manifest.json")); err != nil {
		t.Errorf("manifest not at ManifestURL: %v", err)
	}
	duck, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer duck.Close()
	file := filepath.Join(e.root, filepath.FromSlash(strings.TrimPrefix(want[2], "s3://")))
	var cols, sum string
	if err := duck.QueryRow("SELECT string_agg(name, ',') FROM parquet_schema(?) WHERE type IS NOT NULL", file).Scan(&cols); err != nil || cols != "l_orderkey,l_extendedprice" {
		t.Errorf("columns of %s: %q, %v", file, cols, err)
	}
	if err := duck.QueryRow("SELECT sum(l_extendedprice)::VARCHAR FROM read_parquet(?, hive_partitioning = false)", file).Scan(&sum); err != nil {
		t.Fatal(err)
	}
	if pg := e.pgString(t, "SELECT sum(l_extendedprice)::text FROM lineitem WHERE l_returnflag = 'R'"); sum != pg {
		t.Errorf("sum of partition R: parquet %s, postgres %s", sum, pg)
	}
}
