package redshift

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	emulator "github.com/ferry-dev/ferry/internal/emulator/redshift"
	"github.com/ferry-dev/ferry/internal/testserver/pg"
	"github.com/jackc/pgx/v5"
)

const testPassword = "Tr1cky'pa$$word"

// lineitemDDL is a TPC-H lineitem subset covering the types ferry maps,
// with deterministic data: 20,000 rows, some NULLs, comments holding
// quotes and backslashes.
const lineitemDDL = `
CREATE TABLE public.lineitem (
  l_orderkey      bigint        NOT NULL,
  l_linenumber    integer       NOT NULL,
  l_quantity      smallint,
  l_extendedprice numeric(15,2) NOT NULL,
  l_shipdate      date          NOT NULL,
  l_returnflag    char(1)       NOT NULL,
  l_comment       varchar(44),
  l_ts            timestamp
);
INSERT INTO public.lineitem
SELECT g / 7 + 1, g % 7 + 1,
       CASE WHEN g % 97 = 0 THEN NULL ELSE g % 50 + 1 END,
       ((g * 7919) % 100000) / 100.0 + 900,
       date '1992-01-01' + g % 2500,
       (ARRAY['R', 'A', 'N'])[g % 3 + 1],
       CASE WHEN g % 10 = 0 THEN 'it''s line ' || g WHEN g % 10 = 1 THEN 'back\slash ' || g ELSE 'plain ' || g END,
       timestamp '1995-06-01 00:00:00' + g * interval '1.123456 seconds'
FROM generate_series(1, 20000) g;
CREATE TABLE public.empty_t (a integer, b varchar);
COMMENT ON COLUMN public.lineitem.l_comment IS 'free text';
`

// env is a PostgreSQL server behind the Redshift front, with a bucket
// "bkt" in a local directory.
type env struct {
	up    *pgx.Conn
	front *emulator.Front
	root  string
	cfg   Config
}

func newEnv(t *testing.T, faults emulator.Faults) *env {
	t.Helper()
	return newEnvOpts(t, emulator.Options{Faults: faults})
}

// newEnvOpts is newEnv with more front options (Upstream, Password,
// Store and MB are set here).
func newEnvOpts(t *testing.T, opts emulator.Options) *env {
	t.Helper()
	p := pg.Start(t)
	ctx := context.Background()
	up, err := pgx.Connect(ctx, p.DSN())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { up.Close(context.Background()) })
	if _, err := up.Exec(ctx, lineitemDDL); err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	if err := os.Mkdir(filepath.Join(root, "bkt"), 0o755); err != nil {
		t.Fatal(err)
	}
	// A MAXFILESIZE megabyte stands for 4 KB, so that MAXFILESIZE 5 MB
	// splits this small table into several files.
	opts.Upstream, opts.Password, opts.Store, opts.MB = p.DSN(), testPassword, emulator.DirStore{Root: root}, 4<<10
	f := emulator.Start(t, opts)
	cfg := Config{Host: f.Host, Port: f.Port, Database: p.Database, User: "awsuser", Password: testPassword,
		UnloadRole: "arn:aws:iam::123456789012:role/ferry-unload", SSLMode: "disable", S3: DirObjects{Root: root}}
	return &env{up: up, front: f, root: root, cfg: cfg}
}

func (e *env) source(t *testing.T) *Source {
	t.Helper()
	s, err := New(context.Background(), e.cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// pgString runs a one-value query on PostgreSQL directly.
func (e *env) pgString(t *testing.T, q string) string {
	t.Helper()
	var s string
	if err := e.up.QueryRow(context.Background(), q).Scan(&s); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return s
}

// Fake AWS credentials for the SDK's default chain; the test doubles
// check only the form of the signature.
const (
	testAccessKey = "AKIAFERRYTEST0001"
	testSecretKey = "ferry/Secret+Key0123456789abcdefXYZ"
)

// awsEnv points the AWS default credential chain at fixed test keys and
// away from the machine's files and instance metadata.
func awsEnv(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", testAccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", testSecretKey)
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}
