package config

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
)

// Format returns src in canonical HCL layout. It refuses to format a file
// that does not parse, since the formatter would silently keep the broken
// parts; the diagnostics say what is wrong instead.
func Format(src []byte, filename string) ([]byte, hcl.Diagnostics) {
	if d := checkNumbers(src, filename, hcl.InitialPos); d.HasErrors() {
		return nil, d
	}
	_, diags := hclsyntax.ParseConfig(src, filename, hcl.InitialPos)
	if diags.HasErrors() {
		return nil, diags
	}
	return hclwrite.Format(src), diags
}

// FormatDir formats every *.ferry.hcl file in dir, in name order. It
// returns the paths of the files whose layout was not canonical and writes
// each of them to w, one per line. Unless check is set it also rewrites
// them; with check, nothing is written to disk, for use in CI.
//
// A file that does not parse is reported and left alone; the others are
// still processed.
func FormatDir(dir string, check bool, w io.Writer) (changed []string, diags hcl.Diagnostics) {
	if w == nil {
		w = io.Discard
	}
	names, diags := configFiles(dir)
	if diags.HasErrors() {
		return nil, diags
	}
	for _, name := range names {
		path := filepath.Join(dir, name)
		src, err := os.ReadFile(path)
		if err != nil {
			diags = append(diags, fileDiag("Failed to read file", path, err))
			continue
		}
		out, d := Format(src, path)
		diags = append(diags, d...)
		if d.HasErrors() || bytes.Equal(src, out) {
			continue
		}
		changed = append(changed, path)
		fmt.Fprintln(w, path)
		if check {
			continue
		}
		if err := writeFileKeepMode(path, out); err != nil {
			diags = append(diags, fileDiag("Failed to write file", path, err))
		}
	}
	return changed, diags
}

// writeFileKeepMode replaces a file's contents, keeping its permissions.
func writeFileKeepMode(path string, data []byte) error {
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, info.Mode().Perm())
}

// fileDiag reports an I/O error on a whole file, which has no line to
// point at.
func fileDiag(summary, path string, err error) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  summary,
		Detail:   fmt.Sprintf("%s: %s.", path, unwrapPathError(err)),
	}
}

// WriteDiagnostics renders diags as text for a terminal, looking the
// offending source lines up in files (Config.Files). Each diagnostic that
// points into a file starts with its path:line:column, the form editors and
// terminals make clickable, followed by HCL's rendering. width wraps the
// detail text (0: no wrapping) and color adds terminal colors.
func WriteDiagnostics(w io.Writer, files map[string]*hcl.File, diags hcl.Diagnostics, width uint, color bool) error {
	var buf bytes.Buffer
	tw := hcl.NewDiagnosticTextWriter(&buf, files, width, color)
	for _, d := range diags {
		buf.Reset()
		if d.Subject != nil {
			fmt.Fprintf(&buf, "%s:%d:%d: ", d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column)
		}
		if err := tw.WriteDiagnostic(d); err != nil {
			return err
		}
		if _, err := w.Write(buf.Bytes()); err != nil {
			return fmt.Errorf("write diagnostics: %w", err)
		}
	}
	return nil
}
