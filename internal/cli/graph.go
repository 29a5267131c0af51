package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/ferry-dev/ferry/config"
	"github.com/ferry-dev/ferry/planner"
	"github.com/ferry-dev/ferry/planner/plan"
)

func newCmdGraph(g *globals) *cobra.Command {
	var cf configFlags
	var format string
	var all bool
	cmd := &cobra.Command{
		Use:   "graph",
		Short: "Print the plan's resource graph (dot or mermaid)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := g.open(cmd.Context(), cf, "graph", 0, false)
			if err != nil {
				return err
			}
			defer s.close()
			p, err := g.makePlan(cmd.Context(), s, selectFlags{Refresh: true}, true)
			if err != nil {
				return err
			}
			switch format {
			case "dot":
				fmt.Fprint(g.io.Out, plan.RenderDOT(p, !all))
			case "mermaid":
				fmt.Fprint(g.io.Out, plan.RenderMermaid(p, !all))
			default:
				return fmt.Errorf("--format %q: want dot or mermaid", format)
			}
			return nil
		},
	}
	cf.register(cmd)
	cmd.Flags().StringVar(&format, "format", "dot", "`FORMAT`: dot or mermaid")
	cmd.Flags().BoolVar(&all, "all", false, "include resources with nothing to do")
	return cmd
}

func newCmdDrift(g *globals) *cobra.Command {
	var cf configFlags
	var asJSON bool
	var lockTimeout time.Duration
	cmd := &cobra.Command{
		Use:   "drift",
		Short: "Report where sources, staged objects or targets no longer match the state",
		Long: `Observe every source table, staged object and target table that the state
records and report what changed outside ferry. Read-only. Exit code 0: no
drift, 2: drift found, 1: error.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			s, err := g.open(ctx, cf, "drift", lockTimeout, true)
			if err != nil {
				return err
			}
			defer s.close()
			drifts, diags := planner.Drifts(ctx, s.cfg, s.st, s.reg)
			if len(diags) > 0 {
				_ = config.WriteDiagnostics(g.io.Err, s.cfg.Files, diags, 100, g.color())
			}
			if diags.HasErrors() {
				return exitError{ExitError}
			}
			if asJSON {
				if drifts == nil {
					drifts = []planner.Drift{}
				}
				b, _ := json.MarshalIndent(drifts, "", "  ")
				fmt.Fprintln(g.io.Out, string(b))
			} else if len(drifts) == 0 {
				fmt.Fprintln(g.io.Out, "No drift: sources, staged objects and targets match the state.")
			} else {
				fmt.Fprintf(g.io.Out, "Drift found in %d places:\n", len(drifts))
				for _, d := range drifts {
					fmt.Fprintf(g.io.Out, "  %-6s %s: %s\n", d.Where, d.Addr, d.Detail)
				}
			}
			if len(drifts) > 0 {
				return exitError{ExitChanges}
			}
			return nil
		},
	}
	cf.register(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the drift as JSON")
	cmd.Flags().DurationVar(&lockTimeout, "lock-timeout", 0, "wait up to `DURATION` for the state lock")
	return cmd
}
