package e2e

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSecretsNeverLeak sets distinctive secrets through variables (from
// FERRY_VAR_ environment variables) and the AWS and Alibaba Cloud
// credential-chain environment variables, runs every command that prints
// or writes something — plan (text, JSON, Markdown, saved), apply, show,
// state, history, report, drift, graph — then a failing apply with a wrong
// password, and checks that no secret appears in any output or in any file
// ferry wrote.
func TestSecretsNeverLeak(t *testing.T) {
	if testing.Short() {
		t.Skip("starts every server")
	}
	c := startCloud(t, cloudOptions{})
	// Credential-chain variables too: nothing reads them here (the
	// configuration names its keys), but they must not leak either.
	chain := map[string]string{
		"AWS_SECRET_ACCESS_KEY":           "aws-chain-secret-4f1c9e",
		"AWS_SESSION_TOKEN":               "aws-chain-token-77ab02",
		"ALIBABA_CLOUD_ACCESS_KEY_SECRET": "ali-chain-secret-5d3e11",
		"ALIBABA_CLOUD_SECURITY_TOKEN":    "ali-chain-token-90cc4e",
	}
	var extra []string
	for k, v := range chain {
		t.Setenv(k, v)
		extra = append(extra, v)
	}
	outputs := map[string]string{}
	run := func(name string, want int, args ...string) {
		t.Helper()
		code, out := c.ferry(t, args...)
		if want >= 0 && code != want {
			t.Fatalf("ferry %s: exit %d, want %d\n%s", strings.Join(args, " "), code, want, out)
		}
		outputs[name] = out
	}
	run("plan", 0, "plan")
	run("plan-json", 0, "plan", "-json", "-out", "plan.json", "-markdown-out", "plan.md")
	run("apply", 0, "apply", "-auto-approve")
	run("apply-json", 0, "apply", "-auto-approve", "-json", "-replace", "migration.tpch.table.public.region")
	run("show", 0, "show")
	run("show-json", 0, "show", "-json")
	run("state-list", 0, "state", "list")
	run("state-show", 0, "state", "show", "migration.tpch.table.public.lineitem.load")
	run("state-pull", 0, "state", "pull")
	run("history", 0, "history")
	run("history-json", 0, "history", "-json")
	run("report-html", 0, "report", "-format", "html")
	run("report-json", 0, "report", "-format", "json")
	run("drift", 0, "drift")
	run("graph", 0, "graph")

	// A failing apply: the wrong password, echoed nowhere either.
	wrong := "Wrong-Pa$$-c0ffee-" + "31337"
	t.Setenv("FERRY_VAR_redshift_password", wrong)
	run("failing-apply", 1, "apply", "-auto-approve", "-replace", "migration.tpch.table.public.nation")
	if !strings.Contains(outputs["failing-apply"], "password authentication failed") {
		t.Errorf("the failing apply does not say why:\n%s", outputs["failing-apply"])
	}
	extra = append(extra, wrong)

	c.checkNoSecrets(t, outputs, extra...)
	// Every file ferry wrote in the configuration directory: saved
	// plans, reports, staged manifests (local buckets), errored states.
	err := filepath.WalkDir(c.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(path, ".hcl") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, s := range append(c.secrets(), extra...) {
			if strings.Contains(string(b), s) {
				t.Errorf("%s contains a secret", path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
