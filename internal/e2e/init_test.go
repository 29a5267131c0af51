package e2e

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ferry-dev/ferry/config"
	"github.com/ferry-dev/ferry/internal/cli"
)

// TestInitFromRedshift writes a configuration from the front's live
// catalog with `ferry init --from-redshift`, and checks that it loads, that
// the password stays out of it, and that it selects the TPC-H tables.
func TestInitFromRedshift(t *testing.T) {
	if testing.Short() {
		t.Skip("starts every server")
	}
	c := startCloud(t, cloudOptions{})
	out := filepath.Join(t.TempDir(), "gen", "main.ferry.hcl")
	t.Setenv("FERRY_REDSHIFT_PASSWORD", rsPassword)
	var buf bytes.Buffer
	code := cli.Main([]string{"init", "--from-redshift", "--host", c.front.Host, "--port", strconv.Itoa(c.front.Port),
		"--database", c.pg.Database, "--user", rsUser, "--sslmode", "disable", "--migration", "tpch", "--out", out},
		cli.IO{In: strings.NewReader(""), Out: &buf, Err: &buf})
	if code != 0 {
		t.Fatalf("init exited %d:\n%s", code, buf.String())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), rsPassword) || strings.Contains(buf.String(), rsPassword) {
		t.Fatal("the generated configuration or the output contains the password")
	}
	cfg, diags := config.Load(filepath.Dir(out), config.LoadOptions{Env: []string{"FERRY_VAR_prod_password=x"}})
	if diags.HasErrors() {
		t.Fatalf("generated configuration does not load: %v\n%s", diags, b)
	}
	if len(cfg.Migrations) != 1 || cfg.Migrations[0].Name != "tpch" {
		t.Fatalf("migrations: %+v", cfg.Migrations)
	}
	for _, want := range []string{"lineitem", "orders", "customer"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("generated configuration lacks %s:\n%s", want, b)
		}
	}
	if v := cfg.Variables["prod_password"]; v == nil || !v.Sensitive {
		t.Errorf("the password variable is missing or not sensitive:\n%s", b)
	}
}
