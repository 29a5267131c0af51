package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// ctyOpts compares cty types and values by meaning.
var ctyOpts = cmp.Options{
	cmp.Comparer(func(a, b cty.Type) bool { return a.Equals(b) }),
	cmp.Comparer(func(a, b cty.Value) bool {
		if a == cty.NilVal || b == cty.NilVal {
			return a == cty.NilVal && b == cty.NilVal
		}
		return a.RawEquals(b)
	}),
}

// fullEnv is the environment the full example is loaded with.
var fullEnv = []string{
	"FERRY_VAR_redshift_password=s3cret",
	"ALIBABA_CLOUD_ACCESS_KEY_ID=LTAIexample",
	"ALIBABA_CLOUD_ACCESS_KEY_SECRET=oss-secret",
	"HOME=/root",
}

func plain(s string) Value { return Value{Value: cty.StringVal(s)} }

func secret(s string) Value { return Value{Value: cty.StringVal(s), Sensitive: true} }

func TestLoadFull(t *testing.T) {
	dir := filepath.Join("testdata", "full")
	cfg, diags := Load(dir, LoadOptions{Env: fullEnv})
	if len(diags) != 0 {
		t.Fatalf("Load: %s", diags.Error())
	}
	want := &Config{
		Dir: dir,
		Variables: map[string]*Variable{
			"redshift_password": {
				Name: "redshift_password", Type: cty.String, Sensitive: true,
				Value: cty.StringVal("s3cret"),
			},
			"region": {
				Name: "region", Type: cty.String, Description: "Region of both clouds.",
				Default: cty.StringVal("ap-southeast-1"), Value: cty.StringVal("ap-southeast-1"),
			},
		},
		Sources: map[string]*Provider{
			"source.redshift.prod": {Role: "source", Kind: "redshift", Name: "prod", Attrs: map[string]Value{
				"host":        plain("examplecluster.abc123.ap-southeast-1.redshift.amazonaws.com"),
				"port":        {Value: cty.NumberIntVal(5439)},
				"database":    plain("dev"),
				"user":        plain("awsuser"),
				"password":    secret("s3cret"),
				"unload_role": plain("arn:aws:iam::111122223333:role/redshift_s3_role"),
			}},
		},
		Buckets: map[string]*Provider{
			"bucket.s3.unload": {Role: "bucket", Kind: "s3", Name: "unload", Attrs: map[string]Value{
				"bucket": plain("my-unload"),
				"prefix": plain("unload_from_redshift"),
				"region": plain("ap-southeast-1"),
			}},
			"bucket.oss.landing": {Role: "bucket", Kind: "oss", Name: "landing", Attrs: map[string]Value{
				"bucket":            plain("my-landing"),
				"endpoint":          plain("oss-ap-southeast-1.aliyuncs.com"),
				"prefix":            plain("from_redshift"),
				"access_key_id":     plain("LTAIexample"),
				"access_key_secret": secret("oss-secret"),
			}},
		},
		Targets: map[string]*Provider{
			"target.maxcompute.dw": {Role: "target", Kind: "maxcompute", Name: "dw", Attrs: map[string]Value{
				"endpoint":      plain("http://service.ap-southeast-1.maxcompute.aliyun.com/api"),
				"project":       plain("tpch_mc"),
				"load_role_arn": plain("acs:ram::111122223333:role/mc-oss-reader"),
				"timezone":      plain("Asia/Singapore"),
			}},
		},
		Backend: &Backend{Kind: "local", Attrs: map[string]Value{"path": plain("ferry.state.json")}},
		Migrations: []*Migration{{
			Name:        "tpch",
			From:        "source.redshift.prod",
			Via:         []string{"bucket.s3.unload", "bucket.oss.landing"},
			To:          "target.maxcompute.dw",
			CopyEngine:  "stream",
			CopyOptions: map[string]Value{"transfers": {Value: cty.NumberIntVal(8)}},
			Include:     []Pattern{{Glob: "public.*"}},
			Exclude:     []Pattern{{Glob: "public.tmp_*"}},
			Tables: []*TableOverride{{
				Source:      "public.lineitem",
				Name:        "lineitem",
				PartitionBy: []string{"l_shipmode"},
				Where:       "l_shipdate >= '1995-01-01'",
				Columns: []*ColumnOverride{
					{Name: "l_comment", Type: "STRING"},
					{Name: "l_tax", Rename: "tax"},
				},
			}},
			Verify: &Verify{Level: "fingerprint", Queries: []*Query{
				{Name: "tpch_q1", SQL: "SELECT l_returnflag, count(*) FROM lineitem GROUP BY l_returnflag\n", Tolerance: 0.01},
				{Name: "counts", SourceSQL: "SELECT count(*) FROM public.orders", TargetSQL: "SELECT count(*) FROM orders"},
			}},
			KeepStaged: true,
		}},
	}
	opts := cmp.Options{
		ctyOpts,
		cmpopts.IgnoreTypes(hcl.Range{}),
		cmpopts.IgnoreFields(Config{}, "Files", "Hash"),
	}
	if diff := cmp.Diff(want, cfg, opts); diff != "" {
		t.Errorf("config mismatch (-want +got):\n%s", diff)
	}

	// Ranges are what the planner points at: spot-check a few.
	m := cfg.Migrations[0]
	lines := map[string]int{
		"migration":     m.DeclRange.Start.Line,
		"include glob":  m.Include[0].Range.Start.Line,
		"table":         m.Tables[0].DeclRange.Start.Line,
		"table name":    m.Tables[0].NameRange.Start.Line,
		"column type":   m.Tables[0].Columns[0].TypeRange.Start.Line,
		"copy option":   m.CopyOptions["transfers"].Range.Start.Line,
		"query":         m.Verify.Queries[0].DeclRange.Start.Line,
		"password attr": cfg.Sources["source.redshift.prod"].Attrs["password"].Range.Start.Line,
		"variable":      cfg.Variables["region"].DeclRange.Start.Line,
	}
	wantLines := map[string]int{
		"migration": 51, "include glob": 56, "table": 59, "table name": 60,
		"column type": 63, "copy option": 55, "query": 69, "password attr": 22, "variable": 6,
	}
	if diff := cmp.Diff(wantLines, lines); diff != "" {
		t.Errorf("range lines (-want +got):\n%s", diff)
	}
	if got := m.Include[0].Range.Filename; got != filepath.Join(dir, "main.ferry.hcl") {
		t.Errorf("range filename = %q", got)
	}
	if _, ok := cfg.Files[filepath.Join(dir, "main.ferry.hcl")]; !ok || len(cfg.Files) != 1 {
		t.Errorf("Files keys = %v", sortedKeys(cfg.Files))
	}
}

func TestLoadHash(t *testing.T) {
	dir := filepath.Join("testdata", "full")
	load := func(env ...string) string {
		t.Helper()
		cfg, diags := Load(dir, LoadOptions{Env: append(env, fullEnv...)})
		if diags.HasErrors() {
			t.Fatal(diags.Error())
		}
		if len(cfg.Hash) != 64 {
			t.Fatalf("Hash = %q, want 64 hex digits", cfg.Hash)
		}
		return cfg.Hash
	}
	base := load()
	if again := load(); again != base {
		t.Errorf("hash not stable: %s then %s", base, again)
	}
	// fullEnv comes last, so it wins; put the change after it instead.
	changedSecret := func() string {
		cfg, _ := Load(dir, LoadOptions{Env: append(append([]string{}, fullEnv...), "FERRY_VAR_redshift_password=other")})
		return cfg.Hash
	}()
	if changedSecret == base {
		t.Error("changing a sensitive variable did not change the hash")
	}
	if strings.Contains(changedSecret, "other") {
		t.Error("hash reveals the secret")
	}
	changedEnv, _ := Load(dir, LoadOptions{Env: append(append([]string{}, fullEnv...), "ALIBABA_CLOUD_ACCESS_KEY_ID=LTAIother")})
	if changedEnv.Hash == base {
		t.Error("changing a value read by env() did not change the hash")
	}
}

func TestLoadNoFiles(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.hcl"), []byte("x = 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, diags := Load(dir, LoadOptions{})
	if cfg == nil {
		t.Fatal("Load returned a nil Config")
	}
	want := hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "No configuration files",
		Detail:   "no *.ferry.hcl files in " + dir,
	}}
	if diff := cmp.Diff(want, diags); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
}

func TestLoadFilesInNameOrder(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"b.ferry.hcl": `migration "second" {
  from   = source.duckdb.local
  via    = [bucket.local.stage]
  to     = target.duckdb.out
  tables = ["main.*"]
}
`,
		"a.ferry.hcl": `source "duckdb" "local" { path = "in.duckdb" }
bucket "local" "stage" { path = "stage" }
target "duckdb" "out" { path = "out.duckdb" }
migration "first" {
  from   = source.duckdb.local
  via    = [bucket.local.stage]
  to     = target.duckdb.out
  tables = ["main.*"]
}
`,
	}
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg, diags := Load(dir, LoadOptions{})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	var names []string
	for _, m := range cfg.Migrations {
		names = append(names, m.Name+":"+m.CopyEngine+":"+m.Verify.Level)
	}
	if diff := cmp.Diff([]string{"first:stream:aggregates", "second:stream:aggregates"}, names); diff != "" {
		t.Errorf("migrations (-want +got):\n%s", diff)
	}
}

func TestAccessors(t *testing.T) {
	cfg, diags := Load(filepath.Join("testdata", "full"), LoadOptions{Env: fullEnv})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	src := cfg.Sources["source.redshift.prod"]
	m := cfg.Migrations[0]
	got := []any{
		src.Int("port", 0), src.Float("port", 0), src.Bool("iam_auth", true), src.Bool("iam_auth", false),
		src.Int("missing", 7), src.Int("host", 9), src.String("user", ""), src.IsSensitive("password"),
		src.IsSensitive("user"), m.CopyInt("transfers", 1), m.CopyInt("part_size", 64),
	}
	want := []any{
		int64(5439), float64(5439), true, false,
		int64(7), int64(9), "awsuser", true,
		false, int64(8), int64(64),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("accessors (-want +got):\n%s", diff)
	}
}
