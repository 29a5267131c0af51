package connect

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ferry-dev/ferry/config"
)

// TestSecretsCoverEveryPlace: sensitive values written anywhere in a
// configuration — provider blocks, a migration's copy settings, the
// backend block, sensitive variables — are all redacted.
func TestSecretsCoverEveryPlace(t *testing.T) {
	dir := t.TempDir()
	cfg := `
variable "pw" {
  type      = string
  sensitive = true
}
source "duckdb" "src" { path = "src.duckdb" }
bucket "s3" "stage" {
  bucket     = "b"
  region     = "us-east-1"
  access_key = "AKIDEXAMPLE"
  secret_key = "provider-secret-1"
}
bucket "oss" "land" {
  bucket            = "l"
  endpoint          = "oss-cn-hangzhou.aliyuncs.com"
  access_key_id     = "LTAI"
  access_key_secret = var.pw
}
target "duckdb" "dw" { path = "dw.duckdb" }
backend "s3" {
  bucket     = "state"
  key        = "k.json"
  region     = "us-east-1"
  access_key = "AKIDEXAMPLE"
  secret_key = "backend-secret-2"
}
migration "m" {
  from   = source.duckdb.src
  via    = [bucket.s3.stage, bucket.oss.land]
  to     = target.duckdb.dw
  copy   = { engine = "online_migration", access_key_secret = "copy-secret-3" }
  tables = ["main.*"]
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.ferry.hcl"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	c, diags := config.Load(dir, config.LoadOptions{Env: []string{"FERRY_VAR_pw=variable-secret-4"}})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	got := Secrets(c)
	for _, want := range []string{"provider-secret-1", "backend-secret-2", "copy-secret-3", "variable-secret-4"} {
		if !slices.Contains(got, want) {
			t.Errorf("Secrets lacks %q: %q", want, got)
		}
	}
	if slices.Contains(got, "AKIDEXAMPLE") {
		t.Error("an access key ID is not a secret")
	}
	redact := Redactor(got)
	if s := redact("error: copy-secret-3 and backend-secret-2 rejected"); s != "error: (sensitive) and (sensitive) rejected" {
		t.Errorf("redact = %q", s)
	}
}

// Prefetch opens a migration's providers in the background; the first
// call for an address gets what the prefetch got (the same provider, or
// its failure, not a second attempt), and later calls open again.
func TestPrefetch(t *testing.T) {
	dir := t.TempDir()
	cfg := `
source "duckdb" "src" { path = "blocked/src.duckdb" }
bucket "local" "stage" { path = "stage" }
target "duckdb" "dw" { path = "dw.duckdb" }
migration "m" {
  from   = source.duckdb.src
  via    = [bucket.local.stage]
  to     = target.duckdb.dw
  tables = ["main.*"]
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.ferry.hcl"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	// A file where the source's folder should be: its open fails.
	if err := os.WriteFile(filepath.Join(dir, "blocked"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	c, diags := config.Load(dir, config.LoadOptions{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	r := New(c)
	ctx := t.Context()
	r.Prefetch(ctx)
	tgt, err := r.Target(ctx, "target.duckdb.dw")
	if err != nil {
		t.Fatal(err)
	}
	again, err := r.Target(ctx, "target.duckdb.dw")
	if err != nil || again != tgt {
		t.Fatalf("second Target call = %v, %v; want the prefetched target", again, err)
	}
	if _, err := r.Bucket(ctx, "bucket.local.stage"); err != nil {
		t.Fatal(err)
	}
	r.prefetching.Wait()
	// The cause is gone, but the first call reports the prefetch's failure.
	if err := os.Remove(filepath.Join(dir, "blocked")); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Source(ctx, "source.duckdb.src"); err == nil || !strings.Contains(err.Error(), "open source.duckdb.src") {
		t.Fatalf("first Source call: err = %v, want the prefetch's failure", err)
	}
	if _, err := r.Source(ctx, "source.duckdb.src"); err != nil {
		t.Fatalf("second Source call opens again: %v", err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
}
