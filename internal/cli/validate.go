package cli

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/ferry-dev/ferry/config"
)

// loadConfigQuiet loads the configuration without printing diagnostics
// (read-only commands use it only to find the state).
func (g *globals) loadConfigQuiet() (*config.Config, error) {
	cfg, diags := config.Load(".", config.LoadOptions{Env: os.Environ()})
	if diags.HasErrors() {
		return nil, diags
	}
	return cfg, nil
}

func newCmdValidate(g *globals) *cobra.Command {
	var cf configFlags
	cmd := &cobra.Command{
		Use:   "validate",
		Short: "Check the configuration without contacting any system",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := g.loadConfig(cf); err != nil {
				return err
			}
			fmt.Fprintln(g.io.Out, "Success! The configuration is valid.")
			return nil
		},
	}
	cf.register(cmd)
	return cmd
}

func newCmdFmt(g *globals) *cobra.Command {
	var check bool
	cmd := &cobra.Command{
		Use:   "fmt",
		Short: "Rewrite *.ferry.hcl files in the canonical format",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var w io.Writer = g.io.Out
			changed, diags := config.FormatDir(".", check, w)
			if len(diags) > 0 {
				_ = config.WriteDiagnostics(g.io.Err, nil, diags, 100, g.color())
				if diags.HasErrors() {
					return exitError{ExitError}
				}
			}
			if check && len(changed) > 0 {
				return exitError{ExitNeedsFormat}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&check, "check", false, "only list files that need formatting; exit 3 if any")
	return cmd
}
