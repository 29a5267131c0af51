package connect

import (
	"os"
	"path/filepath"
	"slices"
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
