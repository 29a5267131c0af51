package cli

import (
	"os"
	"path/filepath"
	"testing"
)

// TestExamplesValidate keeps every shipped example configuration valid.
func TestExamplesValidate(t *testing.T) {
	bin := ferryBinary(t)
	dirs, err := filepath.Glob("../../examples/*/*.ferry.hcl")
	if err != nil || len(dirs) < 2 {
		t.Fatalf("examples: %v %v", dirs, err)
	}
	t.Setenv("FERRY_VAR_redshift_password", "not-a-real-password")
	for _, f := range dirs {
		dir, _ := filepath.Abs(filepath.Dir(f))
		t.Run(filepath.Base(dir), func(t *testing.T) {
			code, out := runFerry(t, bin, dir, "validate")
			if code != 0 {
				t.Fatalf("validate %s exited %d:\n%s", dir, code, out)
			}
			for _, leftover := range []string{DefaultStateFile, ".ferry"} {
				if _, err := os.Stat(filepath.Join(dir, leftover)); err == nil && filepath.Base(dir) != "quickstart" {
					t.Errorf("validate left %s behind in %s", leftover, dir)
				}
			}
		})
	}
}
