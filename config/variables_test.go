package config

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// writeDir writes files (name -> contents) into a new temporary directory.
func writeDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const precedenceConfig = `
variable "region" {
  type    = string
  default = "from-default"
}
variable "scale" {
  type    = number
  default = 1
}
variable "seed" {
  type    = bool
  default = false
}
variable "schemas" {
  type    = list(string)
  default = ["public"]
}
variable "tags" {
  type    = map(string)
  default = {}
}
`

func TestVariablePrecedence(t *testing.T) {
	dir := writeDir(t, map[string]string{
		"vars.ferry.hcl": precedenceConfig,
		"one.hcl":        "region = \"from-file-one\"\nscale = 2\n",
		"two.hcl":        "region = \"from-file-two\"\nschemas = [\"a\", \"b\"]\n",
	})
	one, two := filepath.Join(dir, "one.hcl"), filepath.Join(dir, "two.hcl")
	env := []string{
		"FERRY_VAR_region=from-env",
		"FERRY_VAR_scale=3",
		"FERRY_VAR_seed=true",
		"FERRY_VAR_tags={team = \"data\"}",
		"FERRY_VAR_undeclared=ignored",
	}
	tests := []struct {
		name string
		opts LoadOptions
		want map[string]cty.Value
	}{
		{
			name: "defaults",
			want: map[string]cty.Value{
				"region": cty.StringVal("from-default"), "scale": cty.NumberIntVal(1), "seed": cty.False,
				"schemas": cty.ListVal([]cty.Value{cty.StringVal("public")}), "tags": cty.MapValEmpty(cty.String),
			},
		},
		{
			name: "environment over defaults, parsed by type",
			opts: LoadOptions{Env: env},
			want: map[string]cty.Value{
				"region": cty.StringVal("from-env"), "scale": cty.NumberIntVal(3), "seed": cty.True,
				"schemas": cty.ListVal([]cty.Value{cty.StringVal("public")}),
				"tags":    cty.MapVal(map[string]cty.Value{"team": cty.StringVal("data")}),
			},
		},
		{
			name: "var files over environment, later files win",
			opts: LoadOptions{Env: env, VarFiles: []string{one, two}},
			want: map[string]cty.Value{
				"region": cty.StringVal("from-file-two"), "scale": cty.NumberIntVal(2), "seed": cty.True,
				"schemas": cty.ListVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b")}),
				"tags":    cty.MapVal(map[string]cty.Value{"team": cty.StringVal("data")}),
			},
		},
		{
			name: "flags over everything",
			opts: LoadOptions{
				Env: env, VarFiles: []string{one, two},
				Vars: map[string]string{"region": "from-flag", "scale": "4.5", "schemas": `["x"]`, "seed": "false"},
			},
			want: map[string]cty.Value{
				"region": cty.StringVal("from-flag"), "scale": cty.MustParseNumberVal("4.5"), "seed": cty.False,
				"schemas": cty.ListVal([]cty.Value{cty.StringVal("x")}),
				"tags":    cty.MapVal(map[string]cty.Value{"team": cty.StringVal("data")}),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, diags := Load(dir, tt.opts)
			if len(diags) != 0 {
				t.Fatal(diags.Error())
			}
			got := map[string]cty.Value{}
			for name, v := range cfg.Variables {
				got[name] = v.Value
			}
			if diff := cmp.Diff(tt.want, got, ctyOpts); diff != "" {
				t.Errorf("values (-want +got):\n%s", diff)
			}
		})
	}
}

func TestVariableValueErrors(t *testing.T) {
	dir := writeDir(t, map[string]string{
		"vars.ferry.hcl": precedenceConfig,
		"bad.hcl":        "scale = \"many\"\nextra = 1\n",
	})
	tests := []struct {
		name string
		opts LoadOptions
		want []string // "severity: summary" in order
	}{
		{"number flag", LoadOptions{Vars: map[string]string{"scale": "many"}}, []string{"error: Invalid value for variable"}},
		{"bool env", LoadOptions{Env: []string{"FERRY_VAR_seed=yes"}}, []string{"error: Invalid value for variable"}},
		{"list flag", LoadOptions{Vars: map[string]string{"schemas": "[1"}}, []string{"error: Invalid value for variable"}},
		{"undeclared flag", LoadOptions{Vars: map[string]string{"nope": "1"}}, []string{"error: Value for undeclared variable"}},
		{"var file", LoadOptions{VarFiles: []string{filepath.Join(dir, "bad.hcl")}}, []string{
			"warning: Value for undeclared variable", "error: Invalid value for variable",
		}},
		{"missing var file", LoadOptions{VarFiles: []string{filepath.Join(dir, "none.hcl")}}, []string{"error: Failed to read file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, diags := Load(dir, tt.opts)
			var got []string
			for _, d := range diags {
				sev := "error"
				if d.Severity == hcl.DiagWarning {
					sev = "warning"
				}
				got = append(got, sev+": "+d.Summary)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
		})
	}
}

const sensitiveConfig = `
variable "password" {
  type      = string
  sensitive = true
}
variable "user" {
  type = string
}

source "redshift" "prod" {
  host        = "example.com"
  database    = "dev_${var.user}"
  user        = var.user
  password    = var.password
  unload_role = "arn:${upper(var.password)}"
}

bucket "s3" "unload" {
  bucket     = "b"
  access_key = "AKIAEXAMPLE"
  secret_key = "literal-secret"
}

migration "m" {
  from   = source.redshift.prod
  via    = [bucket.s3.unload]
  to     = target.duckdb.out
  copy   = { engine = "stream", token = var.password }
  tables = ["public.*"]
}

target "duckdb" "out" { path = "out.duckdb" }
`

func TestSensitivePropagation(t *testing.T) {
	dir := writeDir(t, map[string]string{"main.ferry.hcl": sensitiveConfig})
	cfg, diags := Load(dir, LoadOptions{Vars: map[string]string{"password": "hunter2", "user": "bob"}})
	if len(diags) != 0 {
		t.Fatal(diags.Error())
	}
	got := map[string]bool{}
	for _, p := range []*Provider{cfg.Sources["source.redshift.prod"], cfg.Buckets["bucket.s3.unload"]} {
		for name, v := range p.Attrs {
			got[p.Addr()+"."+name] = v.Sensitive
		}
	}
	for name, v := range cfg.Migrations[0].CopyOptions {
		got["copy."+name] = v.Sensitive
	}
	want := map[string]bool{
		"source.redshift.prod.host":        false,
		"source.redshift.prod.port":        false,
		"source.redshift.prod.database":    false,
		"source.redshift.prod.user":        false,
		"source.redshift.prod.password":    true, // direct reference
		"source.redshift.prod.unload_role": true, // through a function and a template
		"bucket.s3.unload.bucket":          false,
		"bucket.s3.unload.access_key":      false,
		"bucket.s3.unload.secret_key":      true, // by attribute name
		"copy.token":                       true,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("sensitivity (-want +got):\n%s", diff)
	}
	if v := cfg.Sources["source.redshift.prod"].Attrs["unload_role"].Value; v.AsString() != "arn:HUNTER2" {
		t.Errorf("unload_role = %#v", v)
	}
}

// TestSensitiveNotRendered checks that an error in an expression using a
// secret does not print the secret's value next to the source line.
func TestSensitiveNotRendered(t *testing.T) {
	dir := writeDir(t, map[string]string{"main.ferry.hcl": `
variable "password" {
  sensitive = true
}
variable "visible" {}
source "redshift" "prod" {
  host     = "example.com"
  database = "dev"
  port     = var.password
  user     = var.visible + 1
}
`})
	cfg, diags := Load(dir, LoadOptions{Vars: map[string]string{"password": "hunter2", "visible": "shown"}})
	if len(diags) != 2 {
		t.Fatalf("want 2 diagnostics, got: %s", diags.Error())
	}
	var buf bytes.Buffer
	if err := WriteDiagnostics(&buf, cfg.Files, diags, 0, false); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.Contains(out, "hunter2") {
		t.Errorf("rendered diagnostics reveal the secret:\n%s", out)
	}
	// The non-sensitive one keeps HCL's helpful context, proving the
	// check above would catch a leak.
	if !strings.Contains(out, `var.visible as "shown"`) {
		t.Errorf("rendered diagnostics lack the variable context:\n%s", out)
	}
}
