package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/cobra"

	"github.com/ferry-dev/ferry/config"
	"github.com/ferry-dev/ferry/state"
)

// DefaultStateFile is the state's file name when no backend is configured.
const DefaultStateFile = "ferry.state.json"

// configFlags are the flags that feed configuration loading.
type configFlags struct {
	vars     []string
	varFiles []string
}

func (f *configFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringArrayVar(&f.vars, "var", nil, "set a variable: `NAME=VALUE` (repeatable)")
	cmd.Flags().StringArrayVar(&f.varFiles, "var-file", nil, "read variables from `FILE` (repeatable)")
}

// loadConfig reads the configuration of the working directory and prints
// its diagnostics. It returns nil when there were errors.
func (g *globals) loadConfig(f configFlags) (*config.Config, error) {
	vars := map[string]string{}
	for _, kv := range f.vars {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("--var %q: want NAME=VALUE", kv)
		}
		vars[k] = v
	}
	cfg, diags := config.Load(".", config.LoadOptions{Vars: vars, VarFiles: f.varFiles, Env: os.Environ()})
	if len(diags) > 0 {
		var files map[string]*hcl.File
		if cfg != nil {
			files = cfg.Files
		}
		g.writeDiags(files, diags, nil)
	}
	if diags.HasErrors() {
		return nil, exitError{ExitError}
	}
	return cfg, nil
}

// statePath is where the local state lives.
func statePath(cfg *config.Config) string {
	if cfg != nil && cfg.Backend != nil && cfg.Backend.Kind == "local" {
		if v, ok := cfg.Backend.Attrs["path"]; ok && !v.Value.IsNull() {
			return v.Value.AsString()
		}
	}
	return DefaultStateFile
}

// lockState takes the state lock for an operation, printing who holds
// it when it cannot.
func (g *globals) lockState(ctx context.Context, fs state.Backend, op string, timeout time.Duration) (func() error, error) {
	unlock, err := fs.Lock(ctx, state.LockInfo{Operation: op}, timeout)
	if err != nil {
		fmt.Fprintf(g.io.Err, "Error: acquiring the state lock: %v\n", err)
		fmt.Fprintf(g.io.Err, "\nferry acquires a lock on the state so that no two runs change it at once.\nWait for the other run, or retry with --lock-timeout.\n")
		return nil, exitError{ExitError}
	}
	return unlock, nil
}

// loadState reads the state, printing a clear error (and never touching
// the file) when it cannot be read.
func (g *globals) loadState(fs state.Backend) (*state.File, error) {
	st, err := fs.Load()
	if err != nil {
		fmt.Fprintf(g.io.Err, "Error: reading state %s: %v\n", fs, err)
		var se *state.Error
		if ok := asStateError(err, &se); ok && se.Hint != "" {
			fmt.Fprintf(g.io.Err, "\n%s\n", se.Hint)
		}
		return nil, exitError{ExitError}
	}
	if st == nil {
		// No lineage until the first write: a plan made before any state
		// exists matches whichever state its apply creates (serial 0).
		st = state.New(Version, "")
	}
	return st, nil
}

// largeState is the number of resources above which open collects the
// state decoding's garbage at once.
const largeState = 5000

// openBackend returns where the configuration keeps its state: the
// backend block, or the local file by default.
func openBackend(ctx context.Context, cfg *config.Config) (state.Backend, error) {
	if cfg == nil || cfg.Backend == nil || cfg.Backend.Kind == "local" {
		return state.NewFilesystem(statePath(cfg)), nil
	}
	return openRemoteBackend(ctx, cfg.Backend)
}

// writeDiags prints diagnostics as text on standard error, or as JSON
// lines ({"type":"diagnostic",…}) on standard output under apply -json.
// redact, when set, removes secrets from the text.
func (g *globals) writeDiags(files map[string]*hcl.File, diags hcl.Diagnostics, redact func(string) string) {
	if redact == nil {
		redact = func(s string) string { return s }
	}
	if g.jsonDiags {
		enc := json.NewEncoder(g.io.Out)
		for _, d := range diags {
			rec := map[string]any{"type": "diagnostic", "severity": "error", "summary": redact(d.Summary), "detail": redact(d.Detail)}
			if d.Severity == hcl.DiagWarning {
				rec["severity"] = "warning"
			}
			if d.Subject != nil {
				rec["range"] = map[string]any{"filename": d.Subject.Filename, "line": d.Subject.Start.Line, "column": d.Subject.Start.Column}
			}
			_ = enc.Encode(rec)
		}
		return
	}
	var buf bytes.Buffer
	_ = config.WriteDiagnostics(&buf, files, diags, 100, g.color())
	fmt.Fprint(g.io.Err, redact(buf.String()))
}
