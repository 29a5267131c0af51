package config

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
)

// errorComment marks the diagnostic a fixture line must produce.
var errorComment = regexp.MustCompile(`#\s*ERROR:\s*(.+?)\s*$`)

// expectedDiags reads the "# ERROR: summary" comments of a fixture into
// line -> summary.
func expectedDiags(t *testing.T, src []byte) map[int]string {
	t.Helper()
	want := map[int]string{}
	sc := bufio.NewScanner(bytes.NewReader(src))
	for line := 1; sc.Scan(); line++ {
		if m := errorComment.FindStringSubmatch(sc.Text()); m != nil {
			want[line] = m[1]
		}
	}
	if len(want) == 0 {
		t.Fatal("fixture has no # ERROR: comment")
	}
	return want
}

// gotDiags maps each diagnostic to the line it points at. Two diagnostics
// on one line are joined, so neither can hide the other.
func gotDiags(diags hcl.Diagnostics) map[int]string {
	got := map[int]string{}
	for _, d := range diags {
		line := 0
		if d.Subject != nil {
			line = d.Subject.Start.Line
		}
		s := d.Summary
		if d.Severity != hcl.DiagError {
			s = "WARNING: " + s
		}
		if prev, ok := got[line]; ok {
			s = prev + " | " + s
		}
		got[line] = s
	}
	return got
}

// TestLoadInvalid loads each fixture under testdata/invalid alone, with an
// empty environment, and requires exactly the diagnostics its comments
// announce.
func TestLoadInvalid(t *testing.T) {
	fixtures, err := filepath.Glob(filepath.Join("testdata", "invalid", "*"+FileSuffix))
	if err != nil {
		t.Fatal(err)
	}
	if len(fixtures) < 18 {
		t.Fatalf("found %d fixtures, want at least 18", len(fixtures))
	}
	for _, fixture := range fixtures {
		name := strings.TrimSuffix(filepath.Base(fixture), FileSuffix)
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(fixture)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, filepath.Base(fixture)), src, 0o644); err != nil {
				t.Fatal(err)
			}
			cfg, diags := Load(dir, LoadOptions{Env: []string{"HOME=/home/ferry"}})
			if diff := cmp.Diff(expectedDiags(t, src), gotDiags(diags)); diff != "" {
				var buf bytes.Buffer
				_ = WriteDiagnostics(&buf, cfg.Files, diags, 0, false)
				t.Errorf("diagnostics by line (-want +got):\n%s\n%s", diff, buf.String())
			}
			for _, d := range diags {
				if d.Subject != nil && d.Subject.Filename != filepath.Join(dir, filepath.Base(fixture)) {
					t.Errorf("diagnostic %q names file %q", d.Summary, d.Subject.Filename)
				}
			}
		})
	}
}

func TestWriteDiagnostics(t *testing.T) {
	dir := t.TempDir()
	src := "source \"redshift\" \"prod\" {\n  host     = \"example.com\"\n  database = \"dev\"\n  port     = \"fifty\"\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "file.ferry.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, diags := Load(dir, LoadOptions{})
	if len(diags) != 1 {
		t.Fatalf("got %d diagnostics, want 1: %v", len(diags), diags)
	}
	var buf bytes.Buffer
	if err := WriteDiagnostics(&buf, cfg.Files, diags, 80, false); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		"Error: Incorrect attribute value type",
		"file.ferry.hcl:4:14: ",
		`port     = "fifty"`,
		"a number is required",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("rendered diagnostic lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b[") {
		t.Errorf("uncolored output has escape codes:\n%s", out)
	}

	buf.Reset()
	if err := WriteDiagnostics(&buf, cfg.Files, diags, 80, true); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "\x1b[") {
		t.Errorf("colored output has no escape codes:\n%s", buf.String())
	}
}

// TestDiagnosticDetails pins the wording users rely on for the errors whose
// detail tells them what to do.
func TestDiagnosticDetails(t *testing.T) {
	tests := []struct {
		fixture string
		detail  string
	}{
		{"missing_variable", `The variable "password" has no default; set it with --var password=..., a --var-file, or FERRY_VAR_password.`},
		{"undeclared_reference", `There is no source "source.duckdb.nope" in this configuration.`},
		{"wrong_role", `from must refer to a source block; bucket.local.b is not one.`},
		{"failed_validation", "scale must be positive."},
		{"unknown_kind", `The supported source kinds are "duckdb", "redshift".`},
		{"duplicate_source", "source.duckdb.a was already defined at "},
		{"duplicate_table", `main.ferry.hcl:11,3-24.`},
		{"bad_copy_engine", `"stream", "online_migration" or "external"`},
		{"bad_verify_level", `"files", "count", "schema", "aggregates" or "fingerprint"`},
		{"file_missing", `"queries/missing.sql"`},
		{"huge_exponent", "The number 1e-99999999 has an exponent larger than 1000; write it with a smaller exponent."},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			dir := t.TempDir()
			src, err := os.ReadFile(filepath.Join("testdata", "invalid", tt.fixture+FileSuffix))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "main"+FileSuffix), src, 0o644); err != nil {
				t.Fatal(err)
			}
			_, diags := Load(dir, LoadOptions{})
			var details []string
			for _, d := range diags {
				details = append(details, d.Detail)
			}
			if !strings.Contains(strings.Join(details, "\n"), tt.detail) {
				t.Errorf("no detail contains %q; got:\n%s", tt.detail, fmt.Sprint(strings.Join(details, "\n")))
			}
		})
	}
}
