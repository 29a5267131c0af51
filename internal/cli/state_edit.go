package cli

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ferry-dev/ferry/state"
)

// editState runs fn on the locked state and saves it, unless dry.
func (g *globals) editState(ctx context.Context, op string, lockTimeout time.Duration, dry bool, fn func(st *state.File) (int, error)) error {
	if ctx == nil {
		ctx = context.Background()
	}
	cfg, _ := g.loadConfigQuiet()
	be, err := openBackend(ctx, cfg)
	if err != nil {
		return err
	}
	unlock, err := g.lockState(ctx, be, op, lockTimeout)
	if err != nil {
		return err
	}
	defer unlock()
	st, err := g.loadState(be)
	if err != nil {
		return err
	}
	n, err := fn(st)
	if err != nil {
		return err
	}
	if dry || n == 0 {
		return nil
	}
	if err := be.Save(st); err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	return nil
}

// selectAddrs returns the state's addresses equal to or under addr.
func selectAddrs(st *state.File, addr string) []string {
	var out []string
	for _, a := range st.Addrs() {
		if a == addr || strings.HasPrefix(a, addr+".") {
			out = append(out, a)
		}
	}
	return out
}

func newCmdStateRm(g *globals) *cobra.Command {
	var dry bool
	var lockTimeout time.Duration
	cmd := &cobra.Command{
		Use:   "rm ADDR...",
		Short: "Forget resources (a resource or a whole table) without touching any data",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.editState(cmd.Context(), "state rm", lockTimeout, dry, func(st *state.File) (int, error) {
				n := 0
				for _, addr := range args {
					addrs := selectAddrs(st, addr)
					if len(addrs) == 0 {
						return 0, fmt.Errorf("no resource %q in the state", addr)
					}
					for _, a := range addrs {
						verb := "Removed"
						if dry {
							verb = "Would remove"
						} else {
							delete(st.Resources, a)
						}
						fmt.Fprintf(g.io.Out, "%s %s\n", verb, a)
						n++
					}
				}
				return n, nil
			})
		},
	}
	cmd.Flags().BoolVar(&dry, "dry-run", false, "only list what would be removed")
	cmd.Flags().DurationVar(&lockTimeout, "lock-timeout", 0, "wait up to `DURATION` for the state lock")
	return cmd
}

func newCmdStateMv(g *globals) *cobra.Command {
	var dry bool
	var lockTimeout time.Duration
	cmd := &cobra.Command{
		Use:   "mv FROM TO",
		Short: "Rename a resource or a whole table in the state (after renaming it in the configuration)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			from, to := args[0], args[1]
			return g.editState(cmd.Context(), "state mv", lockTimeout, dry, func(st *state.File) (int, error) {
				addrs := selectAddrs(st, from)
				if len(addrs) == 0 {
					return 0, fmt.Errorf("no resource %q in the state", from)
				}
				moves := map[string]string{}
				for _, a := range addrs {
					dst := to + strings.TrimPrefix(a, from)
					if _, taken := st.Resources[dst]; taken {
						return 0, fmt.Errorf("cannot move %s to %s: the state already has that address", a, dst)
					}
					moves[a] = dst
				}
				for _, a := range addrs {
					verb := "Moved"
					if dry {
						verb = "Would move"
					} else {
						r := st.Resources[a]
						delete(st.Resources, a)
						r.Addr = moves[a]
						st.Resources[moves[a]] = r
					}
					fmt.Fprintf(g.io.Out, "%s %s to %s\n", verb, a, moves[a])
				}
				return len(addrs), nil
			})
		},
	}
	cmd.Flags().BoolVar(&dry, "dry-run", false, "only list what would move")
	cmd.Flags().DurationVar(&lockTimeout, "lock-timeout", 0, "wait up to `DURATION` for the state lock")
	return cmd
}

func newCmdStatePull(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "pull",
		Short: "Print the state as stored, for inspection or repair",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := g.readState()
			if err != nil {
				return err
			}
			return state.Write(g.io.Out, st)
		},
	}
}

func newCmdStatePush(g *globals) *cobra.Command {
	var force bool
	var lockTimeout time.Duration
	cmd := &cobra.Command{
		Use:   "push FILE",
		Short: "Replace the stored state with FILE (after a repair)",
		Long: `Replace the stored state with a state file, for example an errored state
written when a save failed. The file must have the same lineage and a serial
at least the stored one, unless --force.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := os.Open(args[0])
			if err != nil {
				return err
			}
			pushed, err := state.Read(f)
			f.Close()
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			return g.editState(cmd.Context(), "state push", lockTimeout, false, func(st *state.File) (int, error) {
				if !force && st.Lineage != "" && pushed.Lineage != st.Lineage {
					return 0, fmt.Errorf("cannot push: %s has lineage %s, the stored state %s (use --force to replace it anyway)", args[0], pushed.Lineage, st.Lineage)
				}
				if !force && pushed.Serial < st.Serial {
					return 0, fmt.Errorf("cannot push: %s has serial %d, older than the stored state's %d (use --force)", args[0], pushed.Serial, st.Serial)
				}
				*st = *pushed
				fmt.Fprintf(g.io.Out, "Pushed %s (%d resources).\n", args[0], len(st.Resources))
				return 1, nil
			})
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "push even with another lineage or an older serial")
	cmd.Flags().DurationVar(&lockTimeout, "lock-timeout", 0, "wait up to `DURATION` for the state lock")
	return cmd
}

func newCmdForceUnlock(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "force-unlock LOCK_ID",
		Short: "Remove a lock left behind by a run that died (remote backends)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, _ := g.loadConfigQuiet()
			be, err := openBackend(context.Background(), cfg)
			if err != nil {
				return err
			}
			if err := be.ForceUnlock(args[0]); err != nil {
				return err
			}
			fmt.Fprintf(g.io.Out, "Lock %s removed from %s.\n", args[0], be)
			return nil
		},
	}
}
