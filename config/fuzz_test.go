package config

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

// fuzzSeedConfig is a complete configuration touching every block type, so
// the fuzzer starts from inputs that get past parsing into decoding.
const fuzzSeedConfig = `
variable "scale" {
  type    = number
  default = 0.01
}
variable "password" {
  type      = string
  default   = "x"
  sensitive = true
}
source "duckdb" "redshift" {
  path       = "src.duckdb"
  tpch_scale = var.scale
}
bucket "local" "s3" {
  path   = "s3"
  prefix = "unload"
}
target "duckdb" "mc" {
  path = "mc.duckdb"
}
backend "local" {
  path = "state.json"
}
migration "m" {
  from   = source.duckdb.redshift
  via    = [bucket.local.s3]
  to     = target.duckdb.mc
  copy   = { engine = "stream" }
  tables = ["main.*", "main.lineitem"]
  table "main.lineitem" {
    column "l_comment" {
      type = "STRING"
    }
  }
  verify {
    level = "aggregates"
    query "q" {
      sql       = "SELECT ${upper("count")}(*) FROM lineitem"
      tolerance = 0.001
    }
  }
}
`

// FuzzLoad writes the fuzzed bytes as the only configuration file and
// loads it. Any diagnostics are fine; a panic, a nil Config, or error
// diagnostics that render as nothing are not. The same bytes go through
// Format, whose output must parse and be a fixed point, or `ferry fmt
// -check` would disagree with `ferry fmt`.
func FuzzLoad(f *testing.F) {
	f.Add([]byte(fuzzSeedConfig))
	f.Add([]byte(`source "duckdb" "a" { path = env("HOME", "x") }`))
	f.Add([]byte(`migration "m" { tables = [for t in ["a"] : "main.${t}"] }`))
	f.Add([]byte(`variable "v" { validation { condition = length(var.v) > 0
error_message = "empty" } }`))
	f.Add([]byte("bucket \"local\" \"b\" {\n  path = <<EOT\nx\nEOT\n}\n"))
	f.Add([]byte(`target "x" "y" { a = try(var.nope, 1) }`))
	f.Add([]byte("\xef\xbb\xbf# bom\n"))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, src []byte) {
		// file() reads any path; a device or fifo would hang or exhaust
		// memory, which is not what this test looks for.
		for _, p := range []string{"/dev", "/proc", "/sys"} {
			if bytes.Contains(src, []byte(p)) {
				t.Skip("names a special file system")
			}
		}
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "main"+FileSuffix), src, 0o644); err != nil {
			t.Fatal(err)
		}
		cfg, diags := Load(dir, LoadOptions{})
		if cfg == nil {
			t.Fatal("Load returned a nil Config")
		}
		var out bytes.Buffer
		if err := WriteDiagnostics(&out, cfg.Files, diags, 80, false); err != nil {
			t.Fatalf("WriteDiagnostics: %v", err)
		}
		if diags.HasErrors() && out.Len() == 0 {
			t.Fatalf("%d diagnostics rendered as nothing", len(diags))
		}

		formatted, fdiags := Format(src, "main"+FileSuffix)
		if fdiags.HasErrors() {
			if formatted != nil {
				t.Fatal("Format returned output for a file that does not parse")
			}
			return
		}
		again, fdiags := Format(formatted, "main"+FileSuffix)
		if fdiags.HasErrors() {
			t.Fatalf("formatted output does not parse: %v\n%s", fdiags, formatted)
		}
		if !bytes.Equal(again, formatted) {
			t.Fatalf("formatting is not idempotent:\nonce:\n%s\ntwice:\n%s", formatted, again)
		}
	})
}

// A huge exponent, in a file, a --var value or fmt input, is refused at
// once instead of parsed for minutes (found by FuzzLoad).
func TestHugeExponentRefusedQuickly(t *testing.T) {
	if _, err := parseVarString("1E+99999999", cty.Number); err == nil || !strings.Contains(err.Error(), "exponent larger than 1000") {
		t.Fatalf("--var: err = %v", err)
	}
	if _, err := parseVarString("[1e-1001]", cty.List(cty.Number)); err == nil {
		t.Fatal("--var list: accepted")
	}
	if _, diags := Format([]byte("a = 1e99999999\n"), "x.ferry.hcl"); !diags.HasErrors() || diags[0].Summary != "Number out of range" {
		t.Fatalf("fmt: %v", diags)
	}
	if v, err := parseVarString("1e1000", cty.Number); err != nil || v.IsNull() {
		t.Fatalf("1e1000 should still be accepted: %v %v", v, err)
	}
}
