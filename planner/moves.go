package planner

import (
	"sort"
	"strings"

	"github.com/ferry-dev/ferry/config"
	"github.com/ferry-dev/ferry/planner/plan"
	"github.com/ferry-dev/ferry/state"
)

func movesOf(cfg *config.Config) []plan.Move {
	out := make([]plan.Move, len(cfg.Moves))
	for i, m := range cfg.Moves {
		out[i] = plan.Move{From: m.From, To: m.To}
	}
	return out
}

// ApplyMoves renames st's resources recorded at or under each move's From
// to the same place under To, and returns the resource-level moves made.
// A move whose From is not in the state (already applied) does nothing;
// a destination that is taken is left alone, so nothing is overwritten.
func ApplyMoves(st *state.File, moves []plan.Move) []plan.Move {
	var done []plan.Move
	for _, m := range moves {
		var addrs []string
		for a := range st.Resources {
			if a == m.From || strings.HasPrefix(a, m.From+".") {
				addrs = append(addrs, a)
			}
		}
		sort.Strings(addrs)
		for _, a := range addrs {
			dst := m.To + strings.TrimPrefix(a, m.From)
			if _, taken := st.Resources[dst]; taken {
				continue
			}
			r := st.Resources[a]
			delete(st.Resources, a)
			r.Addr = dst
			st.Resources[dst] = r
			done = append(done, plan.Move{From: a, To: dst})
		}
	}
	return done
}
