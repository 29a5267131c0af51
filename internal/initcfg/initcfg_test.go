package initcfg

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferry-dev/ferry/config"
	emulator "github.com/ferry-dev/ferry/internal/emulator/redshift"
	"github.com/ferry-dev/ferry/internal/testserver/pg"
	"github.com/ferry-dev/ferry/provider/redshift"
	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
)

const password = "1nit'Secret-pw"

func TestGenerateLoads(t *testing.T) {
	p := pg.Start(t)
	ctx := context.Background()
	up, err := pgx.Connect(ctx, p.DSN())
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close(ctx)
	if _, err := up.Exec(ctx, `CREATE SCHEMA sales; CREATE SCHEMA scratch;
		CREATE TABLE sales.orders (id bigint, amount numeric(12,2)); INSERT INTO sales.orders VALUES (1, 2.5);
		CREATE TABLE sales.order_tmp (id bigint);
		CREATE TABLE sales."Odd Name" (id bigint);
		CREATE TABLE public.customers (id integer, name varchar(20));
		CREATE TABLE scratch.junk (x integer)`); err != nil {
		t.Fatal(err)
	}
	f := emulator.Start(t, emulator.Options{Upstream: p.DSN(), Password: password})
	src, err := redshift.New(ctx, redshift.Config{Host: f.Host, Port: f.Port, Database: p.Database, User: "awsuser",
		Password: password, SSLMode: "disable"})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	out, err := Generate(ctx, src, Options{SourceName: "prod", Schemas: []string{"sales", "public"},
		Exclude: []string{"sales.*_tmp"}, Connection: connectionTo(f, p.Database)})
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	for _, want := range []string{`variable "prod_password"`, "sensitive = true", "password = var.prod_password",
		"# TODO: the S3 bucket", `table "sales.Odd Name"`, `name = "odd_name"`} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, password) || strings.Contains(text, "junk") || strings.Contains(text, "order_tmp") {
		t.Errorf("output shows the password or an unchosen table:\n%s", text)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main"+config.FileSuffix), out, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, diags := config.Load(dir, config.LoadOptions{Env: []string{"FERRY_VAR_prod_password=" + password}})
	if diags.HasErrors() {
		t.Fatalf("generated configuration does not load: %s\n%s", diags.Error(), text)
	}
	s := cfg.Sources["source.redshift.prod"]
	if s == nil || s.String("password", "") != password || !s.Attrs["password"].Sensitive || s.String("host", "") != f.Host {
		t.Errorf("source %+v", s)
	}
	if len(cfg.Migrations) != 1 {
		t.Fatalf("%d migrations", len(cfg.Migrations))
	}
	var globs []string
	for _, p := range cfg.Migrations[0].Include {
		globs = append(globs, p.Glob)
	}
	if diff := cmp.Diff([]string{"public.customers", "sales.Odd Name", "sales.orders"}, globs); diff != "" {
		t.Errorf("tables (-want +got):\n%s", diff)
	}
	if _, diags := config.Load(dir, config.LoadOptions{}); !diags.HasErrors() {
		t.Error("the configuration loads without its password variable")
	}
	formatted, fd := config.Format(out, "main.ferry.hcl")
	if fd.HasErrors() || string(formatted) != text {
		t.Errorf("output is not in canonical format: %v", fd)
	}
}

func connectionTo(f *emulator.Front, db string) Connection {
	return Connection{Host: f.Host, Port: f.Port, Database: db, User: "awsuser"}
}

func TestGenerateRefusesBadInput(t *testing.T) {
	for _, opts := range []Options{
		{SourceName: "bad name", Connection: Connection{Database: "dev"}},
		{Connection: Connection{}},
		{Include: []string{"["}, Connection: Connection{Database: "dev"}},
	} {
		if _, err := Generate(context.Background(), nil, opts); err == nil {
			t.Errorf("%+v: no error", opts)
		}
	}
}
