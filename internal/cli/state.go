package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/ferry-dev/ferry/executor"
	"github.com/ferry-dev/ferry/state"
)

// readState reads the state for the read-only commands (no lock: reads
// are atomic because writes are).
func (g *globals) readState() (*state.File, error) {
	cfg, _ := g.loadConfigQuiet()
	fs, err := openBackend(context.Background(), cfg)
	if err != nil {
		return nil, err
	}
	st, err := fs.Load()
	if err != nil {
		fmt.Fprintf(g.io.Err, "Error: reading state %s: %v\n", fs, err)
		return nil, exitError{ExitError}
	}
	if st == nil {
		st = state.New(Version, "")
	}
	return st, nil
}

func newCmdState(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "state", Short: "Inspect and repair the state"}
	cmd.AddCommand(newCmdStateRm(g), newCmdStateMv(g), newCmdStatePull(g), newCmdStatePush(g))
	cmd.AddCommand(&cobra.Command{
		Use:   "list",
		Short: "List the resources in the state",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := g.readState()
			if err != nil {
				return err
			}
			for _, a := range st.Addrs() {
				fmt.Fprintln(g.io.Out, a)
			}
			return nil
		},
	}, &cobra.Command{
		Use:   "show ADDR",
		Short: "Show one resource of the state",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := g.readState()
			if err != nil {
				return err
			}
			r, ok := st.Resources[args[0]]
			if !ok {
				fmt.Fprintf(g.io.Err, "Error: no resource %q in the state\n", args[0])
				return exitError{ExitError}
			}
			b, _ := json.MarshalIndent(r, "", "  ")
			fmt.Fprintln(g.io.Out, string(b))
			return nil
		},
	})
	return cmd
}

func newCmdShow(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show",
		Short: "Show what the state says was migrated and verified",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := g.readState()
			if err != nil {
				return err
			}
			if asJSON {
				return state.Write(g.io.Out, st)
			}
			return g.showText(st)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the state as JSON")
	return cmd
}

// showText prints one line per table: the status of each step, rows and
// the last verification.
func (g *globals) showText(st *state.File) error {
	if len(st.Resources) == 0 {
		fmt.Fprintln(g.io.Out, "The state is empty: nothing has been migrated yet.")
		return nil
	}
	fmt.Fprintf(g.io.Out, "State serial %d, lineage %s\n\n", st.Serial, st.Lineage)
	tw := tabwriter.NewWriter(g.io.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TABLE\tUNLOAD\tCOPY\tTABLE\tLOAD\tVERIFY\tROWS\tRESULT")
	tables := map[string]bool{}
	for _, a := range st.Addrs() {
		if i := strings.LastIndexByte(a, '.'); i > 0 {
			tables[a[:i]] = true
		}
	}
	for _, t := range sortedKeys(tables) {
		row := []string{t}
		for _, k := range []string{"unload", "copy", "table", "load", "verify"} {
			if r := st.Resources[t+"."+k]; r != nil {
				row = append(row, string(r.Status))
			} else {
				row = append(row, "-")
			}
		}
		rows, result := "-", "-"
		if r := st.Resources[t+".load"]; r != nil && r.Observed["rows"] != "" {
			rows = r.Observed["rows"]
		}
		for _, k := range []string{".verify", ""} {
			if r := st.Resources[t+k]; r != nil && len(r.Output) > 0 && (k != "" || r.Kind == "query") {
				var rep executor.VerifyOutput
				if json.Unmarshal(r.Output, &rep) == nil && rep.Level != "" {
					result = "failed"
					if rep.Passed {
						result = "passed (" + rep.Level + ")"
					}
				}
			}
		}
		row = append(row, rows, result)
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	return tw.Flush()
}

func newCmdHistory(g *globals) *cobra.Command {
	var asJSON bool
	var table string
	cmd := &cobra.Command{
		Use:   "history",
		Short: "Show the audit history of applied actions",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			recs, err := g.readHistory()
			if err != nil {
				return err
			}
			if verr := state.VerifyChain(recs); verr != nil {
				fmt.Fprintf(g.io.Err, "Warning: %v; run ferry history verify\n", verr)
			}
			if table != "" {
				var kept []state.Record
				for _, r := range recs {
					if strings.Contains(r.Addr, ".table."+table+".") || strings.HasSuffix(r.Addr, ".table."+table) {
						kept = append(kept, r)
					}
				}
				recs = kept
			}
			if asJSON {
				enc := json.NewEncoder(g.io.Out)
				for _, r := range recs {
					if err := enc.Encode(r); err != nil {
						return err
					}
				}
				return nil
			}
			tw := tabwriter.NewWriter(g.io.Out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "SEQ\tSTART\tOPERATOR\tACTION\tADDRESS\tRESULT\tROWS\tDURATION")
			for _, r := range recs {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%d\t%dms\n", r.Seq, r.Start.Format("2006-01-02 15:04:05Z"), r.Operator, r.Action, r.Addr, r.Result, r.Rows, r.DurationMS)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print records as JSON lines")
	cmd.Flags().StringVar(&table, "table", "", "only records of source table `SCHEMA.TABLE`")
	cmd.AddCommand(&cobra.Command{
		Use:   "verify",
		Short: "Check that no history record was edited or removed",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			recs, err := g.readHistory()
			if err != nil {
				return err
			}
			if err := state.VerifyChain(recs); err != nil {
				fmt.Fprintf(g.io.Err, "Error: %v\n", err)
				return exitError{ExitError}
			}
			fmt.Fprintf(g.io.Out, "History intact: %d records, hash chain verified.\n", len(recs))
			return nil
		},
	})
	return cmd
}

func (g *globals) readHistory() ([]state.Record, error) {
	cfg, _ := g.loadConfigQuiet()
	be, err := openBackend(context.Background(), cfg)
	if err != nil {
		return nil, err
	}
	return be.ReadHistory()
}
