package cli

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// Version is ferry's version, set at build time with -ldflags.
var Version = "0.1.0-dev"

// Exit codes.
const (
	ExitOK          = 0
	ExitError       = 1
	ExitChanges     = 2 // plan --detailed-exitcode: changes present
	ExitNeedsFormat = 3 // fmt --check: files need formatting
	ExitCancelled   = 4 // apply: the answer to the prompt was not "yes"
)

// IO is the process's standard streams.
type IO struct {
	In       io.Reader
	Out, Err io.Writer
	// Terminal is true when Out is a terminal (progress redraws, colors).
	Terminal bool
}

// StdIO returns the real standard streams.
func StdIO() IO {
	return IO{In: os.Stdin, Out: os.Stdout, Err: os.Stderr, Terminal: term.IsTerminal(int(os.Stdout.Fd()))}
}

// globals are the flags every command shares.
type globals struct {
	io      IO
	chdir   string
	noColor bool
	// jsonDiags writes diagnostics as JSON lines on standard output
	// (apply -json), for CI systems and log pipelines.
	jsonDiags bool
}

func (g *globals) color() bool {
	return g.io.Terminal && !g.noColor && os.Getenv("NO_COLOR") == ""
}

// exitError carries a specific exit code; its message was already printed.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

// Main runs the command line and returns the exit code.
func Main(args []string, stdio IO) int {
	g := &globals{io: stdio}
	root := &cobra.Command{
		Use:           "ferry",
		Short:         "Migrate Redshift tables to MaxCompute, Terraform-style",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			if g.chdir != "" {
				if err := os.Chdir(g.chdir); err != nil {
					return fmt.Errorf("--chdir: %w", err)
				}
			}
			return nil
		},
	}
	root.SetArgs(terraformFlags(args))
	root.SetIn(stdio.In)
	root.SetOut(stdio.Out)
	root.SetErr(stdio.Err)
	root.PersistentFlags().StringVar(&g.chdir, "chdir", "", "switch to `DIR` before doing anything else")
	root.PersistentFlags().BoolVar(&g.noColor, "no-color", false, "disable colors (also NO_COLOR)")
	root.AddCommand(
		newCmdPlan(g, nil),
		newCmdApply(g, nil),
		newCmdValidate(g),
		newCmdFmt(g),
		newCmdState(g),
		newCmdShow(g),
		newCmdHistory(g),
		newCmdVersion(g),
		newCmdGraph(g),
		newCmdDrift(g),
		newCmdForceUnlock(g),
		newCmdReport(g),
		newCmdInit(g),
	)
	err := root.Execute()
	if err == nil {
		return ExitOK
	}
	var ee exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	fmt.Fprintf(stdio.Err, "Error: %v\n", err)
	return ExitError
}

func newCmdVersion(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print ferry's version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			fmt.Fprintf(g.io.Out, "ferry %s\n", Version)
			return nil
		},
	}
}

// terraformFlags accepts Terraform's single-dash long flags
// (-auto-approve, -var x=1) by rewriting them to the double-dash form.
func terraformFlags(args []string) []string {
	out := make([]string, 0, len(args))
	for i, a := range args {
		if a == "--" {
			return append(out, args[i:]...)
		}
		if len(a) > 2 && a[0] == '-' && a[1] != '-' && (a[1] < '0' || a[1] > '9') {
			a = "-" + a
		}
		out = append(out, a)
	}
	return out
}
