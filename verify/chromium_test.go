package verify

import (
	"bytes"
	"context"
	"image/png"
	"os"
	osexec "os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"
)

// chromiumFlags keep a headless Chromium from touching the network or a
// profile outside the test's directory.
var chromiumFlags = []string{
	"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
	"--disable-component-update", "--disable-sync", "--no-first-run",
}

// chromium runs Chromium on the page with extra arguments and returns its
// standard output. Without a chromium binary the test is skipped, in CI
// too, so that CI images need not carry a browser.
func chromium(t *testing.T, page string, args ...string) []byte {
	t.Helper()
	bin, err := osexec.LookPath("chromium")
	if err != nil {
		t.Skip("no chromium binary (Debian: apt-get install -y chromium)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	all := append(append([]string(nil), chromiumFlags...), "--user-data-dir="+t.TempDir())
	all = append(append(all, args...), "file://"+page)
	// Headless Chromium now and then crashes on a loaded machine; a crash
	// is retried, a page that renders wrongly is not.
	var stdout, stderr bytes.Buffer
	for attempt := 0; attempt < 3; attempt++ {
		stdout.Reset()
		stderr.Reset()
		cmd := osexec.CommandContext(ctx, bin, all...)
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err = cmd.Run(); err == nil {
			return stdout.Bytes()
		}
	}
	t.Fatalf("chromium: %v\n%s", err, stderr.Bytes())
	return nil
}

// writePage renders the test page into a temporary file.
func writePage(t *testing.T) string {
	t.Helper()
	var b bytes.Buffer
	if err := RenderReportsHTML(&b, reportPage(t)); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "report.html")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestReportInChromium loads the page in a real browser and reads the
// summary numbers back from the DOM it built.
func TestReportInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	dom := chromium(t, writePage(t), "--dump-dom")
	want := map[string]string{
		"summary-sales-verified": "1", "summary-sales-failed": "1", "summary-sales-pending": "1",
		"summary-hr--people--verified": "1", "summary-hr--people--failed": "0", "summary-hr--people--pending": "0",
		"serial": "42",
	}
	for id, n := range want {
		re := regexp.MustCompile(`id="` + regexp.QuoteMeta(id) + `"[^>]*>([^<]*)<`)
		m := re.FindSubmatch(dom)
		if m == nil {
			t.Errorf("DOM has no element %s", id)
			continue
		}
		if string(m[1]) != n {
			t.Errorf("%s = %q, want %q", id, m[1], n)
		}
	}
	// The chart survived parsing as SVG: one bar pair per table.
	if got := len(regexp.MustCompile(`<rect class="bar-bytes"`).FindAll(dom, -1)); got != 4 {
		t.Errorf("%d byte bars in the DOM, want 4", got)
	}
}

// TestReportScreenshot renders the page to a PNG. The checked-in
// testdata/report.png is the reference look, rewritten with -update;
// pixels are not compared, because fonts differ between machines.
func TestReportScreenshot(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	shot := filepath.Join(t.TempDir(), "report.png")
	chromium(t, writePage(t), "--screenshot="+shot, "--window-size=1200,900")
	data, err := os.ReadFile(shot)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	if cfg.Width != 1200 || cfg.Height != 900 || len(data) < 20<<10 {
		t.Errorf("screenshot %dx%d, %d bytes; want 1200x900 and more than 20 KiB", cfg.Width, cfg.Height, len(data))
	}
	ref := filepath.Join("testdata", "report.png")
	if *update {
		if err := os.WriteFile(ref, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(ref); err != nil {
		t.Errorf("reference screenshot: %v (run go test -update)", err)
	}
}
