package cli

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestQuickstartReportInChromium applies the TPC-H quickstart, writes the
// HTML report, loads it in headless Chromium and reads the verification
// summary back from the DOM the browser built.
func TestQuickstartReportInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("runs an apply and a browser")
	}
	browser, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium is missing (Debian: apt-get install -y chromium); scripts/test installs it")
		}
		t.Skip("no chromium binary (Debian: apt-get install -y chromium)")
	}
	bin := ferryBinary(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.ferry.hcl"), []byte(crashConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out := runFerry(t, bin, dir, "apply", "-auto-approve"); code != 0 {
		t.Fatalf("apply: %d\n%s", code, out)
	}
	cmd := exec.Command(bin, "report", "-format", "html")
	cmd.Dir = dir
	html, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(html, []byte("<script src")) || bytes.Contains(html, []byte("<link rel=\"stylesheet\" href")) {
		t.Error("the report fetches resources; it must be self-contained")
	}
	page := filepath.Join(dir, "report.html")
	if err := os.WriteFile(page, html, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// Headless Chromium now and then crashes on a loaded machine: retry a
	// crash, never a wrong page.
	var dom, stderr bytes.Buffer
	for attempt := 0; ; attempt++ {
		dom.Reset()
		stderr.Reset()
		c := exec.CommandContext(ctx, browser, "--headless", "--no-sandbox", "--disable-gpu",
			"--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
			"--user-data-dir="+t.TempDir(), "--dump-dom", "file://"+page)
		c.Stdout, c.Stderr = &dom, &stderr
		err := c.Run()
		if err == nil {
			break
		}
		if attempt == 2 {
			t.Fatalf("chromium: %v\n%s", err, stderr.String())
		}
	}
	for id, want := range map[string]string{"summary-tpch-verified": "8", "summary-tpch-failed": "0", "summary-tpch-pending": "0"} {
		m := regexp.MustCompile(`id="` + id + `"[^>]*>([^<]*)<`).FindStringSubmatch(dom.String())
		if m == nil || strings.TrimSpace(m[1]) != want {
			t.Errorf("%s in the rendered DOM: %v, want %s", id, m, want)
		}
	}
	if !strings.Contains(dom.String(), "lineitem") {
		t.Error("the rendered report does not list lineitem")
	}
}
