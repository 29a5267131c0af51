package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"runtime"
	"strings"
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
	Format           string
	JSONOut          string
	MarkdownOut      string
	FailOn           []string
	Select           selectFlags
	LockTimeout      time.Duration
}

// selectFlags choose what a plan covers.
type selectFlags struct {
	Targets   []string
	Excludes  []string
	Replace   []string
	Refresh   bool
	Preflight bool
}

func (f *selectFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringArrayVar(&f.Targets, "target", nil, "plan only `ADDR` (a resource or a table) and what it depends on (repeatable)")
	cmd.Flags().StringArrayVar(&f.Excludes, "exclude", nil, "leave `ADDR` and everything depending on it out (repeatable)")
	cmd.Flags().BoolVar(&f.Refresh, "refresh", true, "observe sources, buckets and targets (false: plan from the state alone)")
	cmd.Flags().BoolVar(&f.Preflight, "preflight", true, "when there is work, check first that each system allows it (a one-row canary UNLOAD, a landing write, a target SQL job; all cleaned up)")
	cmd.Flags().StringArrayVar(&f.Replace, "replace", nil, "run `ADDR` (a resource or a table) and its dependents again even if unchanged (repeatable)")
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
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the plan as JSON (same as --format json)")
	cmd.Flags().StringVar(&opts.Format, "format", "text", "output `FORMAT`: text, json or markdown")
	cmd.Flags().StringVar(&opts.JSONOut, "json-out", "", "also write the JSON plan to `FILE`")
	cmd.Flags().StringVar(&opts.MarkdownOut, "markdown-out", "", "also write the Markdown plan to `FILE` (parts separated by a line of ----- when split)")
	cmd.Flags().StringSliceVar(&opts.FailOn, "fail-on", nil, "exit 1 when the plan has a risk with one of these `CODES` (comma-separated)")
	opts.Select.register(cmd)
	cmd.Flags().DurationVar(&opts.LockTimeout, "lock-timeout", 0, "wait up to `DURATION` for the state lock")
	return cmd
}

// session is a loaded configuration and state under lock.
type session struct {
	cfg    *config.Config
	fs     state.Backend
	st     *state.File
	reg    *connect.Registry
	unlock func() error
	// released is closed once release has closed the providers.
	released chan struct{}
}

// release closes the providers in the background: the planner is done
// with them, and a plan is built and printed meanwhile. close waits for it.
func (s *session) release() {
	if s.reg == nil || s.released != nil {
		return
	}
	s.released = make(chan struct{})
	go func() {
		defer close(s.released)
		_ = s.reg.Close()
	}()
}

func (s *session) close() {
	if s.released != nil {
		<-s.released
	} else if s.reg != nil {
		_ = s.reg.Close()
	}
	if s.unlock != nil {
		_ = s.unlock()
	}
}

// open loads the configuration, locks and reads the state. With prefetch,
// the providers start opening while the state is read (the command is
// going to read them: a refreshing plan, an apply, drift).
func (g *globals) open(ctx context.Context, cf configFlags, op string, lockTimeout time.Duration, prefetch bool) (*session, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	cfg, err := g.loadConfig(cf)
	if err != nil {
		return nil, err
	}
	be, err := openBackend(ctx, cfg)
	if err != nil {
		return nil, err
	}
	s := &session{cfg: cfg, fs: be}
	if s.unlock, err = g.lockState(ctx, s.fs, op, lockTimeout); err != nil {
		return nil, err
	}
	s.reg = connect.New(cfg)
	if prefetch {
		s.reg.Prefetch(ctx)
	}
	if s.st, err = g.loadState(s.fs); err != nil {
		s.close()
		return nil, err
	}
	if op == "plan" || op == "graph" {
		// These never write the state, and the planner reads no
		// resource's output but the unloads' (the recorded source
		// tables): the rest — copied object lists, load statements,
		// verification reports — is a third of a large state's memory.
		for _, r := range s.st.Resources {
			if r.Kind != "unload" {
				r.Output = nil
			}
		}
	}
	if len(s.st.Resources) >= largeState {
		// Decoding a large state leaves its bytes and the decoder's
		// scratch as garbage about the size of the state itself.
		// Collecting it now, before the plan is built, lets the plan
		// reuse that memory instead of growing the heap past it.
		runtime.GC()
	}
	return s, nil
}

// makePlan runs the planner and prints its diagnostics. With release, the
// providers are closed as soon as the planner is done reading them (the
// command needs them for nothing else).
func (g *globals) makePlan(ctx context.Context, s *session, sel selectFlags, release bool) (*plan.Plan, error) {
	opts := planner.Options{
		FerryVersion: Version, Replace: sel.Replace, Targets: sel.Targets, Excludes: sel.Excludes,
		NoRefresh: !sel.Refresh, Preflight: sel.Preflight,
	}
	if release {
		opts.Released = s.release
	}
	p, diags := planner.Plan(ctx, s.cfg, s.st, s.reg, opts)
	if len(diags) > 0 {
		g.writeDiags(s.cfg.Files, diags, connect.Redactor(connect.Secrets(s.cfg)))
	}
	if diags.HasErrors() {
		return nil, exitError{ExitError}
	}
	return p, nil
}

func planRun(ctx context.Context, opts *PlanOptions) error {
	g := opts.g
	format := opts.Format
	if opts.JSON {
		format = "json"
	}
	if format != "text" && format != "json" && format != "markdown" {
		return fmt.Errorf("--format %q: want text, json or markdown", format)
	}
	s, err := g.open(ctx, opts.Config, "plan", opts.LockTimeout, opts.Select.Refresh)
	if err != nil {
		return err
	}
	defer s.close()
	p, err := g.makePlan(ctx, s, opts.Select, true)
	if err != nil {
		return err
	}
	switch format {
	case "json":
		err = plan.RenderJSON(g.io.Out, p)
	case "markdown":
		_, err = fmt.Fprint(g.io.Out, joinMarkdown(plan.RenderMarkdown(p)))
	default:
		err = plan.RenderText(g.io.Out, p, plan.TextOptions{Color: g.color()})
	}
	if err != nil {
		return err
	}
	for _, out := range []struct {
		path   string
		render func() ([]byte, error)
	}{
		{opts.Out, func() ([]byte, error) { return jsonBytes(p) }},
		{opts.JSONOut, func() ([]byte, error) { return jsonBytes(p) }},
		{opts.MarkdownOut, func() ([]byte, error) { return []byte(joinMarkdown(plan.RenderMarkdown(p))), nil }},
	} {
		if out.path == "" {
			continue
		}
		b, err := out.render()
		if err != nil {
			return err
		}
		if err := os.WriteFile(out.path, b, 0o600); err != nil {
			return fmt.Errorf("write %s: %w", out.path, err)
		}
	}
	if opts.Out != "" && format == "text" {
		fmt.Fprintf(g.io.Out, "\nSaved the plan to: %s\nTo perform exactly these actions, run:\n  ferry apply %s\n", opts.Out, opts.Out)
	}
	if hits := plan.FailOn(p.Warnings, opts.FailOn); len(hits) > 0 {
		fmt.Fprintf(g.io.Err, "Error: the plan has %d risk(s) listed in --fail-on:\n", len(hits))
		for _, w := range hits {
			fmt.Fprintf(g.io.Err, "  [%s] %s\n", w.Code, w.Message)
		}
		return exitError{ExitError}
	}
	if opts.DetailedExitcode && p.HasChanges() {
		return exitError{ExitChanges}
	}
	return nil
}

func jsonBytes(p *plan.Plan) ([]byte, error) {
	var buf bytes.Buffer
	err := plan.RenderJSON(&buf, p)
	return buf.Bytes(), err
}

// joinMarkdown joins the comments of a split Markdown plan with a rule
// line between them.
func joinMarkdown(parts []string) string {
	var b strings.Builder
	for i, part := range parts {
		if i > 0 {
			b.WriteString("\n-----\n\n")
		}
		b.WriteString(part)
	}
	return b.String()
}
