package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ferry-dev/ferry/internal/cli"
	ossemu "github.com/ferry-dev/ferry/internal/emulator/oss"
	"github.com/ferry-dev/ferry/state"
)

// TestFaults runs the migration against services that fail: OSS answers
// a fifth of its requests with 503 and MaxCompute a tenth with 500 or
// 503, which ferry must retry until the apply succeeds. Then the source
// changes and two permanent faults follow: a wrong OSS secret, which
// stops the apply while planning with an error naming the bucket, and
// OSS refusing writes, which fails the copy quickly, leaves a state that
// parses and a next plan that redoes the copy as tainted. Without the
// fault the apply converges.
func TestFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("starts PostgreSQL and versitygw and migrates TPC-H")
	}
	c := startCloud(t, cloudOptions{
		ossFaults:   &ossemu.Faults{Rate: 0.2, Codes: []int{503}, Seed: 11},
		mcFaultRate: 0.1,
	})
	tables := tpch(t)

	// Transient faults are retried.
	code, out := c.ferry(t, "apply", "-auto-approve")
	if code != cli.ExitOK {
		t.Fatalf("apply under transient faults exited %d:\n%s", code, out)
	}
	t.Logf("faults injected: %d by OSS, %d by MaxCompute", c.oss.Injected(), c.mc.FaultsInjected())
	if c.oss.Injected() == 0 || c.mc.FaultsInjected() == 0 {
		t.Errorf("expected faults from both services, got %d from OSS and %d from MaxCompute", c.oss.Injected(), c.mc.FaultsInjected())
	}
	st := c.state(t)
	for _, tb := range tables {
		if v, _ := c.verifyReport(t, st, tableAddr(tb.name, "verify")); !v.Passed {
			t.Errorf("%s: %s", tb.name, v.Summary)
		}
	}
	c.checkCounts(t, tables)
	code, planOut := c.ferry(t, "plan", "-detailed-exitcode")
	if code != cli.ExitOK {
		t.Errorf("plan after the apply under faults exited %d, want 0:\n%s", code, planOut)
	}

	// A permanent fault: the OSS secret is wrong. The source changes so
	// that lineitem has to move again. Ferry reads the landing bucket
	// while planning, so the apply stops there, before any action, with
	// an error naming the bucket, and the state is left as it was.
	c.oss.SetFaults(nil)
	if _, err := c.pgc.Exec(t.Context(), "INSERT INTO public.lineitem SELECT * FROM public.lineitem WHERE l_orderkey <= 3"); err != nil {
		t.Fatal(err)
	}
	const wrongSecret = "oss-Wrong-Secret-0d9e8f7a6b5c"
	t.Setenv("FERRY_VAR_oss_access_key_secret", wrongSecret)
	before := c.state(t).Serial
	start := time.Now()
	code, failOut := c.ferry(t, "apply", "-auto-approve")
	elapsed := time.Since(start)
	if code != cli.ExitError {
		t.Fatalf("apply with a wrong OSS secret exited %d, want 1:\n%s", code, failOut)
	}
	if elapsed > 30*time.Second {
		t.Errorf("apply with a wrong OSS secret took %s; a permanent fault must not be retried for long", elapsed)
	}
	for _, want := range []string{"bucket.oss.landing", "oss://" + landingBucket + "/", "SignatureDoesNotMatch"} {
		if !strings.Contains(failOut, want) {
			t.Errorf("the failure does not say %q:\n%s", want, failOut)
		}
	}
	t.Logf("wrong secret: apply failed after %s", elapsed.Round(time.Millisecond))
	if after := c.state(t).Serial; after != before {
		t.Errorf("the state moved from serial %d to %d although nothing ran", before, after)
	}
	outputs := map[string]string{"apply output": out, "plan output": planOut, "wrong-secret apply output": failOut}

	// A permanent fault while copying: the secret is right but OSS
	// refuses every write (a policy without oss:PutObject). Preflight
	// would catch it before anything runs (TestPreflight); without it the
	// copy fails without lengthy retries, is tainted, and the next plan
	// redoes it for that reason.
	t.Setenv("FERRY_VAR_oss_access_key_secret", ossSecret)
	c.oss.SetFaults(&ossemu.Faults{Rate: 1, Codes: []int{403}, Ops: []string{
		ossemu.OpPutObject, ossemu.OpInitiateMultipartUpload, ossemu.OpUploadPart, ossemu.OpCompleteMultipartUpload,
	}})
	start = time.Now()
	code, failOut = c.ferry(t, "apply", "-auto-approve", "-preflight=false")
	elapsed = time.Since(start)
	c.oss.SetFaults(nil)
	if code != cli.ExitError {
		t.Fatalf("apply with OSS refusing writes exited %d, want 1:\n%s", code, failOut)
	}
	if elapsed > 30*time.Second {
		t.Errorf("apply with OSS refusing writes took %s; a permanent fault must not be retried for long", elapsed)
	}
	copyAddr := tableAddr("lineitem", "copy")
	errLine := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(copyAddr) + `: .*AccessDenied.*$`).FindString(failOut)
	if errLine == "" || !strings.Contains(errLine, "oss://"+landingBucket+"/") {
		t.Errorf("the failure of %s does not name the OSS bucket %q and the refusal:\n%s", copyAddr, landingBucket, failOut)
	}
	t.Logf("writes refused: apply failed after %s: %s", elapsed.Round(time.Millisecond), errLine)
	st = c.state(t)
	if r := resource(t, st, copyAddr); r.Status != state.StatusTainted || !strings.Contains(r.Error, landingBucket) {
		t.Errorf("%s is %s (%q), want tainted with an error naming the bucket", copyAddr, r.Status, r.Error)
	}
	code, planOut = c.ferry(t, "plan")
	if code != cli.ExitOK {
		t.Fatalf("plan after the failed apply exited %d:\n%s", code, planOut)
	}
	if line := planLine(planOut, "migration.tpch.table.public.lineitem", "copy"); !strings.Contains(line, "(tainted: ") {
		t.Errorf("plan does not show %s as tainted:\n%s", copyAddr, planOut)
	}
	outputs["refused-writes apply output"], outputs["plan after failure"] = failOut, planOut
	c.checkNoSecrets(t, outputs, wrongSecret)

	// Once OSS accepts writes again the next apply converges.
	if code, out := c.ferry(t, "apply", "-auto-approve"); code != cli.ExitOK {
		t.Fatalf("apply after fixing the secret exited %d:\n%s", code, out)
	}
	c.checkCounts(t, tables)
	if code, out := c.ferry(t, "plan", "-detailed-exitcode"); code != cli.ExitOK {
		t.Errorf("plan after recovery exited %d, want 0:\n%s", code, out)
	}
}

// planLine returns the line of a rendered plan for one step of a table
// group ("# <group> (…)" followed by "<symbol> <kind> …" lines), or "".
func planLine(out, group, kind string) string {
	in := false
	for _, line := range strings.Split(out, "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "# ") {
			in = strings.HasPrefix(trimmed, "# "+group+" ")
			continue
		}
		if f := strings.Fields(trimmed); in && len(f) >= 2 && f[1] == kind {
			return trimmed
		}
	}
	return ""
}

// TestMissingBucket points the landing bucket at one that does not exist:
// the plan fails before anything runs, names the bucket and the service's
// answer, exits 1 and writes no state.
func TestMissingBucket(t *testing.T) {
	if testing.Short() {
		t.Skip("starts every server")
	}
	c := startCloud(t, cloudOptions{})
	path := filepath.Join(c.dir, "main.ferry.hcl")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	write(t, path, strings.Replace(string(b), `bucket            = "`+landingBucket+`"`, `bucket            = "no-such-landing"`, 1))
	code, out := c.ferry(t, "apply", "-auto-approve")
	if code != 1 {
		t.Fatalf("apply with a missing bucket exited %d\n%s", code, out)
	}
	for _, want := range []string{"Cannot read bucket.oss.landing", "NoSuchBucket"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat(filepath.Join(c.dir, "ferry.state.json")); err == nil {
		t.Error("a failed plan wrote a state")
	}
}

// TestPreflight: before anything runs, plan reports what a system does not
// allow, with the fix in the runbook's terms, and changes nothing.
func TestPreflight(t *testing.T) {
	if testing.Short() {
		t.Skip("starts every server")
	}
	c := startCloud(t, cloudOptions{ossFaults: &ossemu.Faults{Rate: 1, Codes: []int{403}, Ops: []string{ossemu.OpPutObject}}})
	path := filepath.Join(c.dir, "main.ferry.hcl")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	write(t, path, strings.Replace(string(b), `load_role_arn     = "`+loadRole+`"`, `load_role_arn     = "mc-oss-reader"`, 1))
	code, out := c.ferry(t, "plan")
	if code != 1 {
		t.Fatalf("plan exited %d\n%s", code, out)
	}
	for _, want := range []string{
		"Preflight: cannot write to bucket.oss.landing",
		"Fix: grant oss:PutObject, oss:GetObject, oss:DeleteObject and oss:ListObjects on",
		landingBucket + "/from_redshift* to the RAM user or role ferry runs as.",
		"Preflight: target.maxcompute.mc is not ready",
		`load_role_arn "mc-oss-reader" is not a RAM role ARN`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("plan output lacks %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat(filepath.Join(c.dir, "ferry.state.json")); err == nil {
		t.Error("a failed preflight wrote a state")
	}
	// The canary UNLOAD cleaned up after itself.
	if code, out := c.ferry(t, "plan", "-preflight=false"); code != 0 {
		t.Fatalf("plan without preflight exited %d\n%s", code, out)
	}
}
