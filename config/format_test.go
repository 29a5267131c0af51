package config

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const unformatted = `source "duckdb" "a" {
path="a.duckdb"
    tpch_scale   = 1
}
`

const formatted = `source "duckdb" "a" {
  path       = "a.duckdb"
  tpch_scale = 1
}
`

func TestFormat(t *testing.T) {
	out, diags := Format([]byte(unformatted), "a.ferry.hcl")
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if diff := cmp.Diff(formatted, string(out)); diff != "" {
		t.Errorf("Format (-want +got):\n%s", diff)
	}

	out, diags = Format([]byte("source \"duckdb\" \"a\" {\n  path = = 1\n}\n"), "bad.ferry.hcl")
	if out != nil || !diags.HasErrors() {
		t.Fatalf("Format of a broken file = %q, %v; want nil and an error", out, diags)
	}
	if got := diags[0].Subject; got == nil || got.Filename != "bad.ferry.hcl" || got.Start.Line != 2 {
		t.Errorf("syntax error subject = %v, want bad.ferry.hcl line 2", got)
	}
}

func TestFormatDir(t *testing.T) {
	dir := writeDir(t, map[string]string{
		"a.ferry.hcl": unformatted,
		"b.ferry.hcl": formatted,
		"c.hcl":       unformatted, // not configuration: left alone
	})
	a := filepath.Join(dir, "a.ferry.hcl")

	var buf bytes.Buffer
	changed, diags := FormatDir(dir, true, &buf)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if diff := cmp.Diff([]string{a}, changed); diff != "" {
		t.Errorf("check: changed (-want +got):\n%s", diff)
	}
	if buf.String() != a+"\n" {
		t.Errorf("check: listed %q", buf.String())
	}
	if b, _ := os.ReadFile(a); string(b) != unformatted {
		t.Error("check mode rewrote a file")
	}

	changed, diags = FormatDir(dir, false, nil)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if diff := cmp.Diff([]string{a}, changed); diff != "" {
		t.Errorf("write: changed (-want +got):\n%s", diff)
	}
	for _, name := range []string{"a.ferry.hcl", "b.ferry.hcl"} {
		if b, _ := os.ReadFile(filepath.Join(dir, name)); string(b) != formatted {
			t.Errorf("%s after FormatDir:\n%s", name, b)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "c.hcl")); string(b) != unformatted {
		t.Error("FormatDir touched a file that is not *.ferry.hcl")
	}

	changed, diags = FormatDir(dir, true, nil)
	if len(changed) != 0 || diags.HasErrors() {
		t.Errorf("second pass: changed %v, diags %v", changed, diags)
	}
}

func TestFormatDirKeepsGoingPastBrokenFile(t *testing.T) {
	dir := writeDir(t, map[string]string{
		"a.ferry.hcl": "source \"duckdb\" \"a\" {\n  path = = 1\n}\n",
		"b.ferry.hcl": unformatted,
	})
	changed, diags := FormatDir(dir, false, nil)
	if !diags.HasErrors() {
		t.Error("no diagnostic for the broken file")
	}
	if diff := cmp.Diff([]string{filepath.Join(dir, "b.ferry.hcl")}, changed); diff != "" {
		t.Errorf("changed (-want +got):\n%s", diff)
	}
}
