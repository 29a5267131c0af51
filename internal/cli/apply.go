package cli

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/signal"
	"os/user"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/ferry-dev/ferry/executor"
	"github.com/ferry-dev/ferry/internal/connect"
	"github.com/ferry-dev/ferry/planner"
	"github.com/ferry-dev/ferry/planner/plan"
	"github.com/ferry-dev/ferry/state"
)

// ApplyOptions are the apply command's flags.
type ApplyOptions struct {
	g           *globals
	Config      configFlags
	PlanFile    string
	AutoApprove bool
	Parallelism int
	Select      selectFlags
	JSON        bool
	LockTimeout time.Duration
}

func newCmdApply(g *globals, runF func(*ApplyOptions) error) *cobra.Command {
	opts := &ApplyOptions{g: g}
	cmd := &cobra.Command{
		Use:   "apply [PLANFILE]",
		Short: "Run the migration: unload, copy, create, load and verify",
		Long: `Plan (or read a saved plan), ask for confirmation, and run every action,
saving the state after each one. A re-run resumes exactly the unfinished or
failed work. The first Ctrl-C lets running actions finish; the second aborts.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.PlanFile = args[0]
			}
			if runF != nil {
				return runF(opts)
			}
			return applyRun(cmd.Context(), opts)
		},
	}
	opts.Config.register(cmd)
	cmd.Flags().BoolVar(&opts.AutoApprove, "auto-approve", false, "skip the confirmation prompt")
	cmd.Flags().IntVar(&opts.Parallelism, "parallelism", 4, "run at most `N` actions at once")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "stream one JSON object per line (needs -auto-approve or a saved plan)")
	opts.Select.register(cmd)
	cmd.Flags().DurationVar(&opts.LockTimeout, "lock-timeout", 0, "wait up to `DURATION` for the state lock")
	return cmd
}

func applyRun(ctx context.Context, opts *ApplyOptions) error {
	g := opts.g
	if ctx == nil {
		ctx = context.Background()
	}
	if opts.JSON {
		g.jsonDiags = true
	}
	s, err := g.open(ctx, opts.Config, "apply", opts.LockTimeout, true)
	if err != nil {
		return err
	}
	defer s.close()

	var p *plan.Plan
	if opts.PlanFile != "" {
		if p, err = readSavedPlan(opts.PlanFile, s); err != nil {
			return err
		}
	} else if p, err = g.makePlan(ctx, s, opts.Select, false); err != nil {
		return err
	}
	var stream *jsonStream
	if opts.JSON {
		if opts.PlanFile == "" && !opts.AutoApprove {
			return fmt.Errorf("--json needs -auto-approve or a saved plan: there is no prompt to answer")
		}
		stream = newJSONStream(g.io.Out)
		stream.plan(p)
	} else if err := plan.RenderText(g.io.Out, p, plan.TextOptions{Color: g.color()}); err != nil {
		return err
	}
	if !p.HasChanges() {
		return nil
	}
	if opts.PlanFile == "" && !opts.AutoApprove && !g.confirm() {
		fmt.Fprintln(g.io.Out, "\nApply cancelled.")
		return exitError{ExitCancelled}
	}
	if stream == nil {
		fmt.Fprintln(g.io.Out)
	}

	redact := connect.Redactor(connect.Secrets(s.cfg))
	hist, err := s.fs.OpenHistory()
	if err != nil {
		return fmt.Errorf("open history: %w", err)
	}
	defer hist.Close()
	if s.st.Lineage == "" {
		s.st.Lineage = uuid.NewString()
	}
	// Moved blocks: rename recorded resources before anything runs.
	planner.ApplyMoves(s.st, p.Moves)
	sync := state.NewSync(s.fs, s.st)
	s.reg.Logf = func(format string, args ...any) { fmt.Fprintf(g.io.Err, format+"\n", args...) }
	var onEvent func(executor.Event)
	ui := newProgress(g, redact)
	defer ui.stop()
	onEvent = ui.event
	if stream != nil {
		ui.stop()
		onEvent = stream.event
	}

	stop, stopCancel := context.WithCancel(ctx)
	defer stopCancel()
	abort, abortCancel := context.WithCancel(context.Background())
	defer abortCancel()
	sigs := make(chan os.Signal, 2)
	// Not stopped when apply returns: a second Ctrl-C that lands while the
	// graceful stop is finishing still aborts instead of killing the
	// process with the default action.
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		n := 0
		for range sigs {
			n++
			if n == 1 {
				fmt.Fprintln(g.io.Err, "\nInterrupt received. Waiting for running actions to finish and saving the state; no new action will start.\nPress Ctrl-C again to abort at once (interrupted actions are redone by the next apply).")
				stopCancel()
				continue
			}
			fmt.Fprintln(g.io.Err, "\nTwo interrupts received. Aborting now; the next apply redoes the interrupted actions.")
			abortCancel()
			// At once: the state on disk is whole (every write is atomic),
			// running actions stay marked running, and the lock dies with
			// the process.
			os.Exit(ExitError)
		}
	}()

	res := executor.Apply(stop, abort, p, executor.Options{
		Providers: s.reg, Copier: s.reg.Copier, State: sync, History: hist,
		Parallelism: opts.Parallelism, Operator: operator(), FerryVersion: Version,
		OnEvent: onEvent, Redact: redact,
	})
	ui.stop()
	final := sync.Snapshot()
	if err := s.fs.Save(final); err != nil {
		path, derr := s.fs.DumpErrored(final, err)
		fmt.Fprintf(g.io.Err, "Error: saving the final state: %v\n", err)
		if derr == nil {
			fmt.Fprintln(g.io.Err, state.RecoveryHint(s.fs.String(), path))
		}
		return exitError{ExitError}
	}
	failed, skipped := len(res.Failed), len(res.Skipped)
	if stream != nil {
		stream.summary(res)
		if failed > 0 || skipped > 0 {
			return exitError{ExitError}
		}
		return nil
	}
	g.printReports(p, res)
	if failed > 0 || skipped > 0 {
		fmt.Fprintf(g.io.Err, "\nApply incomplete: %d done, %d failed, %d not run.\n", len(res.Done), failed, skipped)
		for _, a := range sortedKeys(res.Failed) {
			fmt.Fprintf(g.io.Err, "  %s: %s\n", a, redact(res.Failed[a].Error()))
		}
		fmt.Fprintln(g.io.Err, "The state records what finished; run ferry apply again to resume.")
		return exitError{ExitError}
	}
	fmt.Fprintf(g.io.Out, "\nApply complete! %d actions done.\n", len(res.Done))
	return nil
}

// confirm asks for "yes".
func (g *globals) confirm() bool {
	fmt.Fprint(g.io.Out, "\nDo you want to perform these actions?\n  ferry will perform the actions described above.\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: ")
	line, _ := bufio.NewReader(g.io.In).ReadString('\n')
	return strings.TrimSpace(line) == "yes"
}

// printReports lists the verification results of this apply.
func (g *globals) printReports(p *plan.Plan, res *executor.Result) {
	if len(res.Reports) == 0 {
		return
	}
	fmt.Fprintln(g.io.Out, "\nVerification:")
	addrs := sortedKeys(res.Reports)
	// Tables first, then the migration-wide queries.
	sort.SliceStable(addrs, func(i, j int) bool {
		qi, qj := strings.Contains(addrs[i], ".query."), strings.Contains(addrs[j], ".query.")
		return !qi && qj
	})
	for _, addr := range addrs {
		fmt.Fprintf(g.io.Out, "  %s\n", res.Reports[addr].Summary())
	}
}

// operator names who runs the apply: the OS user, plus the CI identity
// when the environment carries one.
func operator() string {
	name := os.Getenv("USER")
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	switch {
	case os.Getenv("GITHUB_ACTOR") != "":
		name += fmt.Sprintf(" (github:%s run %s)", os.Getenv("GITHUB_ACTOR"), os.Getenv("GITHUB_RUN_ID"))
	case os.Getenv("GITLAB_USER_LOGIN") != "":
		name += fmt.Sprintf(" (gitlab:%s job %s)", os.Getenv("GITLAB_USER_LOGIN"), os.Getenv("CI_JOB_ID"))
	case os.Getenv("BUILDKITE_BUILD_CREATOR") != "":
		name += fmt.Sprintf(" (buildkite:%s build %s)", os.Getenv("BUILDKITE_BUILD_CREATOR"), os.Getenv("BUILDKITE_BUILD_NUMBER"))
	}
	return name
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// readSavedPlan reads a plan file and refuses it when the state or the
// configuration moved on since it was made.
func readSavedPlan(path string, s *session) (*plan.Plan, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read saved plan: %w", err)
	}
	defer f.Close()
	p, err := plan.Decode(f)
	if err != nil {
		return nil, err
	}
	switch {
	case p.Lineage != "" && p.Lineage != s.st.Lineage:
		return nil, fmt.Errorf("saved plan does not match the state: it was made from state lineage %s, the state has lineage %s", p.Lineage, s.st.Lineage)
	case p.Serial != s.st.Serial:
		return nil, fmt.Errorf("saved plan is stale: state serial %d ≠ %d; the state changed after the plan was made — run ferry plan again", s.st.Serial, p.Serial)
	case p.ConfigHash != s.cfg.Hash:
		return nil, fmt.Errorf("saved plan is stale: the configuration changed after the plan was made — run ferry plan again")
	}
	return p, nil
}
