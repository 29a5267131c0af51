package e2e

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	_ "github.com/duckdb/duckdb-go/v2"
	"github.com/jackc/pgx/v5"

	"github.com/ferry-dev/ferry/internal/cli"
	mcemu "github.com/ferry-dev/ferry/internal/emulator/maxcompute"
	ossemu "github.com/ferry-dev/ferry/internal/emulator/oss"
	rsemu "github.com/ferry-dev/ferry/internal/emulator/redshift"
	"github.com/ferry-dev/ferry/internal/testserver"
	"github.com/ferry-dev/ferry/internal/testserver/pg"
	"github.com/ferry-dev/ferry/provider/local"
	"github.com/ferry-dev/ferry/provider/maxcompute"
	"github.com/ferry-dev/ferry/provider/oss"
)

// Names and non-secret identifiers of the emulated accounts. The secrets
// are distinctive strings, so that finding one in a file proves a leak.
const (
	unloadBucket  = "ferry-unload"
	landingBucket = "ferry-landing"
	ossRegion     = "cn-hangzhou"
	ossKeyID      = "LTAI5tFerryOssKey"
	ossSecret     = "oss-Secret-7f3c9a1e5b2d4c6e8a0b"
	mcProject     = "tpch_mc"
	mcKeyID       = "LTAI5tFerryMcKey"
	mcSecret      = "mc-Secret-2b4d6f8a0c1e3a5c7e9f"
	rsUser        = "awsuser"
	rsPassword    = "Rs-Pa$$w0rd-'9d1f3b5a7c"
	unloadRole    = "arn:aws:iam::123456789012:role/ferry-unload"
	loadRole      = "acs:ram::1234567890:role/aliyunodpsdefaultrole"
	tpchScale     = 0.01
)

// tpchTable is one TPC-H table as exported from the generator: its
// PostgreSQL DDL (Redshift types) and a CSV file of its rows.
type tpchTable struct {
	name, ddl, csv string
	rows           int64
}

var (
	seedOnce   sync.Once
	seedTables []tpchTable
	seedErr    error
	seedDir    string
)

func TestMain(m *testing.M) {
	// Run as the ferry command when started under that name (the crash
	// test kills real processes).
	if filepath.Base(os.Args[0]) == "ferry" {
		os.Exit(cli.Main(os.Args[1:], cli.StdIO()))
	}
	code := m.Run()
	if seedDir != "" {
		os.RemoveAll(seedDir)
	}
	os.Exit(code)
}

// tpch generates TPC-H at scale 0.01 once per process, with the
// provider/local generator, and exports every table as CSV together with
// its declared Redshift column types.
func tpch(t *testing.T) []tpchTable {
	t.Helper()
	seedOnce.Do(func() {
		start := time.Now()
		seedDir, seedErr = os.MkdirTemp("", "ferry-e2e-tpch-")
		if seedErr != nil {
			return
		}
		seedTables, seedErr = exportTPCH(seedDir)
		if seedErr == nil {
			t.Logf("generated and exported TPC-H %g in %s", tpchScale, time.Since(start).Round(time.Millisecond))
		}
	})
	if seedErr != nil {
		t.Fatalf("seed TPC-H: %v", seedErr)
	}
	return seedTables
}

func exportTPCH(dir string) ([]tpchTable, error) {
	path := filepath.Join(dir, "tpch.duckdb")
	src, err := local.OpenSource(path, tpchScale)
	if err != nil {
		return nil, err
	}
	infos, err := src.Tables(context.Background())
	if cerr := src.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	db, err := sql.Open("duckdb", path)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	var out []tpchTable
	for _, info := range infos {
		cols := make([]string, len(info.Columns))
		for i, c := range info.Columns {
			cols[i] = fmt.Sprintf("%s %s NOT NULL", c.Name, redshiftType(c.Type))
		}
		csv := filepath.Join(dir, info.Name+".csv")
		q := fmt.Sprintf("COPY main.%s TO '%s' (FORMAT CSV, HEADER false)", info.Name, csv)
		if _, err := db.Exec(q); err != nil {
			return nil, fmt.Errorf("%s: %w", q, err)
		}
		out = append(out, tpchTable{
			name: info.Name, csv: csv, rows: info.Rows,
			ddl: fmt.Sprintf("CREATE TABLE public.%s (%s)", info.Name, strings.Join(cols, ", ")),
		})
	}
	if len(out) != 8 {
		return nil, fmt.Errorf("generated %d TPC-H tables, want 8", len(out))
	}
	return out, nil
}

// redshiftType spells a declared column type the way a Redshift TPC-H DDL
// does: DECIMAL as NUMERIC, the rest as declared (CHAR(n), VARCHAR(n),
// DATE, INTEGER, BIGINT).
func redshiftType(declared string) string {
	if rest, ok := strings.CutPrefix(declared, "DECIMAL"); ok {
		return "NUMERIC" + rest
	}
	return declared
}

// cloud is one set of running services and a configuration directory.
type cloud struct {
	pg    *pg.Postgres
	pgc   *pgx.Conn
	s3    *testserver.S3Server
	front *rsemu.Front
	oss   *ossemu.Server
	mc    *mcemu.Server
	// locations is what the MaxCompute emulator reads LOAD locations
	// through.
	locations *ossLocations
	dir       string
}

// cloudOptions are the faults a cloud starts with.
type cloudOptions struct {
	ossFaults   *ossemu.Faults
	mcFaultRate float64
}

// startCloud starts PostgreSQL seeded with TPC-H, the Redshift front,
// versitygw, the OSS and MaxCompute emulators, and writes the
// configuration into a new directory.
func startCloud(t *testing.T, opts cloudOptions) *cloud {
	t.Helper()
	c := &cloud{dir: t.TempDir()}
	// The servers first: a missing one skips the test before the data is
	// generated.
	c.pg = pg.Start(t)
	c.s3 = testserver.Versitygw(t)
	tables := tpch(t)
	start := time.Now()
	ctx := context.Background()
	var err error
	if c.pgc, err = pgx.Connect(ctx, c.pg.DSN()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.pgc.Close(context.Background()) })
	for _, tb := range tables {
		if _, err := c.pgc.Exec(ctx, tb.ddl); err != nil {
			t.Fatalf("%s: %v", tb.ddl, err)
		}
		f, err := os.Open(tb.csv)
		if err != nil {
			t.Fatal(err)
		}
		tag, err := c.pgc.PgConn().CopyFrom(ctx, f, "COPY public."+tb.name+" FROM STDIN WITH (FORMAT csv)")
		f.Close()
		if err != nil {
			t.Fatalf("copy %s into PostgreSQL: %v", tb.name, err)
		}
		if tag.RowsAffected() != tb.rows {
			t.Fatalf("copied %d rows into %s, want %d", tag.RowsAffected(), tb.name, tb.rows)
		}
	}
	if _, err := c.pgc.Exec(ctx, "ANALYZE"); err != nil {
		t.Fatal(err)
	}

	c.s3.CreateBucket(t, unloadBucket)
	s3c := awss3.New(awss3.Options{
		Region: c.s3.Region, BaseEndpoint: aws.String(c.s3.Endpoint), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(c.s3.AccessKey, c.s3.SecretKey, ""),
	})
	c.front = rsemu.Start(t, rsemu.Options{Upstream: c.pg.DSN(), Password: rsPassword, Store: &rsemu.S3Store{Client: s3c}})

	c.oss = ossemu.Start(t, ossemu.Options{AccessKeyID: ossKeyID, AccessKeySecret: ossSecret, Region: ossRegion, Faults: opts.ossFaults})
	c.oss.CreateBucket(landingBucket)
	c.locations = &ossLocations{endpoint: c.oss.Endpoint(), buckets: map[string]*oss.Bucket{}}
	c.mc = mcemu.Start(t, mcemu.Options{
		AccessKeyID: mcKeyID, AccessKeySecret: mcSecret, Project: mcProject,
		Locations: c.locations, FaultRate: opts.mcFaultRate, FaultSeed: 7,
	})
	c.writeConfig(t)
	for name, v := range map[string]string{
		"redshift_password": rsPassword, "s3_secret_key": c.s3.SecretKey,
		"oss_access_key_secret": ossSecret, "mc_access_key_secret": mcSecret,
	} {
		t.Setenv("FERRY_VAR_"+name, v)
	}
	t.Logf("services up and PostgreSQL seeded in %s", time.Since(start).Round(time.Millisecond))
	return c
}

// secrets are the values that must never be written down.
func (c *cloud) secrets() []string {
	return []string{rsPassword, c.s3.SecretKey, ossSecret, mcSecret}
}

// q1Source is TPC-H Q1 as Redshift (PostgreSQL) runs it.
const q1Source = `SELECT l_returnflag, l_linestatus,
  SUM(l_quantity) AS sum_qty,
  SUM(l_extendedprice) AS sum_base_price,
  SUM(l_extendedprice * (1 - l_discount)) AS sum_disc_price,
  SUM(l_extendedprice * (1 - l_discount) * (1 + l_tax)) AS sum_charge,
  AVG(l_quantity) AS avg_qty,
  AVG(l_extendedprice) AS avg_price,
  AVG(l_discount) AS avg_disc,
  COUNT(*) AS count_order
FROM public.lineitem
WHERE l_shipdate <= DATE '1998-12-01' - INTERVAL '90' DAY
GROUP BY l_returnflag, l_linestatus
ORDER BY l_returnflag, l_linestatus`

// q1Target is TPC-H Q1 in MaxCompute SQL: backtick identifiers, and the
// cut-off date written out (1998-12-01 minus 90 days), which needs no
// date function.
const q1Target = "SELECT `l_returnflag`, `l_linestatus`,\n" +
	"  SUM(`l_quantity`) AS sum_qty,\n" +
	"  SUM(`l_extendedprice`) AS sum_base_price,\n" +
	"  SUM(`l_extendedprice` * (1 - `l_discount`)) AS sum_disc_price,\n" +
	"  SUM(`l_extendedprice` * (1 - `l_discount`) * (1 + `l_tax`)) AS sum_charge,\n" +
	"  AVG(`l_quantity`) AS avg_qty,\n" +
	"  AVG(`l_extendedprice`) AS avg_price,\n" +
	"  AVG(`l_discount`) AS avg_disc,\n" +
	"  COUNT(*) AS count_order\n" +
	"FROM `lineitem`\n" +
	"WHERE `l_shipdate` <= DATE '1998-09-02'\n" +
	"GROUP BY `l_returnflag`, `l_linestatus`\n" +
	"ORDER BY `l_returnflag`, `l_linestatus`"

const configTemplate = `# TPC-H from an emulated Redshift cluster to an emulated MaxCompute
# project, through S3 (versitygw) and OSS.

variable "redshift_password" {
  type      = string
  sensitive = true
}

variable "s3_secret_key" {
  type      = string
  sensitive = true
}

variable "oss_access_key_secret" {
  type      = string
  sensitive = true
}

variable "mc_access_key_secret" {
  type      = string
  sensitive = true
}

source "redshift" "main" {
  host        = "%[1]s"
  port        = %[2]d
  database    = "%[3]s"
  user        = "%[4]s"
  password    = var.redshift_password
  unload_role = "%[5]s"
  sslmode     = "disable"
}

bucket "s3" "unload" {
  bucket     = "%[6]s"
  prefix     = "unload_from_redshift"
  region     = "%[7]s"
  endpoint   = "%[8]s"
  path_style = true
  access_key = "%[9]s"
  secret_key = var.s3_secret_key
}

bucket "oss" "landing" {
  bucket            = "%[10]s"
  prefix            = "from_redshift"
  endpoint          = "%[11]s"
  region            = "%[12]s"
  internal_endpoint = "oss-%[12]s-internal.aliyuncs.com"
  access_key_id     = "%[13]s"
  access_key_secret = var.oss_access_key_secret
}

target "maxcompute" "mc" {
  endpoint          = "%[14]s"
  project           = "%[15]s"
  load_role_arn     = "%[16]s"
  access_key_id     = "%[17]s"
  access_key_secret = var.mc_access_key_secret
}

migration "tpch" {
  from   = source.redshift.main
  via    = [bucket.s3.unload, bucket.oss.landing]
  to     = target.maxcompute.mc
  copy   = { engine = "stream" }
  tables = ["public.*"]

  verify {
    level = "aggregates"

    query "tpch_q1" {
      source_sql = file("queries/q1.redshift.sql")
      target_sql = file("queries/q1.maxcompute.sql")
      tolerance  = 0.000001
    }
  }
}
`

func (c *cloud) writeConfig(t *testing.T) {
	t.Helper()
	cfg := fmt.Sprintf(configTemplate,
		c.front.Host, c.front.Port, c.pg.Database, rsUser, unloadRole,
		unloadBucket, c.s3.Region, c.s3.Endpoint, c.s3.AccessKey,
		landingBucket, c.oss.Endpoint(), ossRegion, ossKeyID,
		c.mc.Endpoint, mcProject, loadRole, mcKeyID)
	write(t, filepath.Join(c.dir, "main.ferry.hcl"), cfg)
	write(t, filepath.Join(c.dir, "queries", "q1.redshift.sql"), q1Source+"\n")
	write(t, filepath.Join(c.dir, "queries", "q1.maxcompute.sql"), q1Target+"\n")
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// ferryMu serialises in-process runs: -chdir changes the working
// directory of the whole process.
var ferryMu sync.Mutex

// ferry runs the command line in-process in the configuration directory
// and returns its exit code and combined output. The working directory is
// restored afterwards.
func (c *cloud) ferry(t *testing.T, args ...string) (int, string) {
	t.Helper()
	ferryMu.Lock()
	defer ferryMu.Unlock()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := os.Chdir(wd); err != nil {
			t.Fatal(err)
		}
	}()
	var out bytes.Buffer
	start := time.Now()
	code := cli.Main(append([]string{"-chdir", c.dir, "-no-color"}, args...), cli.IO{In: strings.NewReader(""), Out: &out, Err: &out})
	t.Logf("ferry %s: exit %d in %s", strings.Join(args, " "), code, time.Since(start).Round(time.Millisecond))
	return code, out.String()
}

// mcTarget is a MaxCompute client on the emulator, independent of the
// one ferry opened.
func (c *cloud) mcTarget(t *testing.T) *maxcompute.Target {
	t.Helper()
	tg, err := maxcompute.New(context.Background(), maxcompute.Config{
		Endpoint: c.mc.Endpoint, Project: mcProject, AccessKeyID: mcKeyID, AccessKeySecret: mcSecret,
	})
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

// mcValue runs a one-value query on MaxCompute.
func (c *cloud) mcValue(t *testing.T, tg *maxcompute.Target, q string) string {
	t.Helper()
	res, err := tg.Query(context.Background(), q)
	if err != nil {
		t.Fatalf("MaxCompute %s: %v", q, err)
	}
	if len(res.Rows) != 1 || len(res.Rows[0]) != 1 || res.Rows[0][0] == nil {
		t.Fatalf("MaxCompute %s: unexpected result %+v", q, res)
	}
	return *res.Rows[0][0]
}

// pgValue runs a one-value query on PostgreSQL, as text.
func (c *cloud) pgValue(t *testing.T, q string) string {
	t.Helper()
	var s string
	if err := c.pgc.QueryRow(context.Background(), q).Scan(&s); err != nil {
		t.Fatalf("PostgreSQL %s: %v", q, err)
	}
	return s
}

// ossLocations reads MaxCompute LOAD locations
// ('oss://<endpoint>/<bucket>/<prefix>/') from the OSS emulator through
// ferry's OSS provider, as the service reads its internal endpoint: the
// endpoint named in the location is replaced by the emulator's.
type ossLocations struct {
	endpoint string
	mu       sync.Mutex
	buckets  map[string]*oss.Bucket
	// reads counts objects opened, so a test can tell LOAD really went
	// through OSS.
	reads int
}

var _ mcemu.LocationReader = (*ossLocations)(nil)

func (l *ossLocations) resolve(ctx context.Context, location string) (*oss.Bucket, string, error) {
	u, err := url.Parse(location)
	if err != nil || u.Scheme != "oss" {
		return nil, "", fmt.Errorf("location %q is not an oss:// URL", location)
	}
	name, prefix, _ := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[name]
	if b == nil {
		b, err = oss.New(ctx, oss.Config{
			Bucket: name, Endpoint: l.endpoint, Region: ossRegion,
			AccessKeyID: ossKeyID, AccessKeySecret: ossSecret, Retries: 10,
		})
		if err != nil {
			return nil, "", err
		}
		l.buckets[name] = b
	}
	return b, prefix, nil
}

// List returns the object names under the location, relative to it.
func (l *ossLocations) List(ctx context.Context, location string) ([]string, error) {
	b, prefix, err := l.resolve(ctx, location)
	if err != nil {
		return nil, err
	}
	objs, err := b.List(ctx, prefix)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(objs))
	for i, o := range objs {
		names[i] = strings.TrimPrefix(o.Key, prefix)
	}
	return names, nil
}

// opened returns how many objects LOAD statements have read.
func (l *ossLocations) opened() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.reads
}

// Open reads one object of the location.
func (l *ossLocations) Open(ctx context.Context, location, name string) (io.ReadCloser, error) {
	b, prefix, err := l.resolve(ctx, location)
	if err != nil {
		return nil, err
	}
	l.mu.Lock()
	l.reads++
	l.mu.Unlock()
	return b.Open(ctx, prefix+name, 0, -1)
}
