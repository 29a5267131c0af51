package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/ferry-dev/ferry/config"
	"github.com/ferry-dev/ferry/internal/connect"
	"github.com/ferry-dev/ferry/planner"
	"github.com/ferry-dev/ferry/planner/plan"
	"github.com/ferry-dev/ferry/state"
)

// PlanOptions are the plan command's flags.
type PlanOptions struct {
	g                *globals
	Config           configFlags
	DetailedExitcode bool
	Out              string
	JSON             bool
	Replace          []string
	LockTimeout      time.Duration
}

func newCmdPlan(g *globals, runF func(*PlanOptions) error) *cobra.Command {
	opts := &PlanOptions{g: g}
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Show what apply would do",
		Long: `Observe the sources, buckets and targets, compare them and the configuration
with the state, and print every action apply would take, with the reason why.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return planRun(cmd.Context(), opts)
		},
	}
	opts.Config.register(cmd)
	cmd.Flags().BoolVar(&opts.DetailedExitcode, "detailed-exitcode", false, "exit 0 for no changes, 1 for errors, 2 for changes")
	cmd.Flags().StringVar(&opts.Out, "out", "", "save the plan to `FILE` for apply")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the plan as JSON")
	cmd.Flags().StringArrayVar(&opts.Replace, "replace", nil, "run `ADDR` (a resource or a table) again even if unchanged (repeatable)")
	cmd.Flags().DurationVar(&opts.LockTimeout, "lock-timeout", 0, "wait up to `DURATION` for the state lock")
	return cmd
}

// session is a loaded configuration and state under lock.
type session struct {
	cfg    *config.Config
	fs     *state.Filesystem
	st     *state.File
	reg    *connect.Registry
	unlock func() error
}

func (s *session) close() {
	if s.reg != nil {
		_ = s.reg.Close()
	}
	if s.unlock != nil {
		_ = s.unlock()
	}
}

// open loads the configuration, locks and reads the state.
func (g *globals) open(ctx context.Context, cf configFlags, op string, lockTimeout time.Duration) (*session, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	cfg, err := g.loadConfig(cf)
	if err != nil {
		return nil, err
	}
	s := &session{cfg: cfg, fs: state.NewFilesystem(statePath(cfg))}
	if s.unlock, err = g.lockState(ctx, s.fs, op, lockTimeout); err != nil {
		return nil, err
	}
	if s.st, err = g.loadState(s.fs); err != nil {
		s.close()
		return nil, err
	}
	s.reg = connect.New(cfg)
	return s, nil
}

// makePlan runs the planner and prints its diagnostics.
func (g *globals) makePlan(ctx context.Context, s *session, replace []string) (*plan.Plan, error) {
	p, diags := planner.Plan(ctx, s.cfg, s.st, s.reg, planner.Options{FerryVersion: Version, Replace: replace})
	if len(diags) > 0 {
		redact := connect.Redactor(connect.Secrets(s.cfg))
		var buf bytes.Buffer
		_ = config.WriteDiagnostics(&buf, s.cfg.Files, diags, 100, g.color())
		fmt.Fprint(g.io.Err, redact(buf.String()))
	}
	if diags.HasErrors() {
		return nil, exitError{ExitError}
	}
	return p, nil
}

func planRun(ctx context.Context, opts *PlanOptions) error {
	g := opts.g
	s, err := g.open(ctx, opts.Config, "plan", opts.LockTimeout)
	if err != nil {
		return err
	}
	defer s.close()
	p, err := g.makePlan(ctx, s, opts.Replace)
	if err != nil {
		return err
	}
	if opts.JSON {
		if err := plan.RenderJSON(g.io.Out, p); err != nil {
			return err
		}
	} else if err := plan.RenderText(g.io.Out, p, plan.TextOptions{Color: g.color()}); err != nil {
		return err
	}
	if opts.Out != "" {
		var buf bytes.Buffer
		if err := plan.RenderJSON(&buf, p); err != nil {
			return err
		}
		if err := os.WriteFile(opts.Out, buf.Bytes(), 0o600); err != nil {
			return fmt.Errorf("save plan: %w", err)
		}
		if !opts.JSON {
			fmt.Fprintf(g.io.Out, "\nSaved the plan to: %s\nTo perform exactly these actions, run:\n  ferry apply %s\n", opts.Out, opts.Out)
		}
	}
	if opts.DetailedExitcode && p.HasChanges() {
		return exitError{ExitChanges}
	}
	return nil
}
