package cli

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/ferry-dev/ferry/executor"
	"github.com/ferry-dev/ferry/planner/plan"
)

// TestProgressOnTerminal checks the terminal status line: it names the
// running table, stage and bytes, and is erased before each log line, so
// the log lines stay whole; off a terminal there is no status line at all.
func TestProgressOnTerminal(t *testing.T) {
	for _, terminal := range []bool{true, false} {
		var out bytes.Buffer
		g := &globals{io: IO{Out: &out, Err: &out, Terminal: terminal}}
		p := newProgress(g, func(s string) string { return s })
		now := time.Now()
		addr := "migration.m.table.main.lineitem.copy"
		p.event(executor.Event{Time: now, Type: executor.EventStart, Addr: addr, Kind: plan.KindCopy})
		p.event(executor.Event{Time: now, Type: executor.EventProgress, Addr: addr, Kind: plan.KindCopy, Message: "1/2 objects, 1.0 MiB/2.0 MiB"})
		p.event(executor.Event{Time: now, Type: executor.EventDone, Addr: addr, Kind: plan.KindCopy, Elapsed: time.Second, Message: "2 objects copied"})
		p.stop()
		text := out.String()
		status := "main.lineitem copy 0s (1/2 objects, 1.0 MiB/2.0 MiB)"
		if terminal {
			if !strings.Contains(text, "[0s, 0 done, 1 running] "+status) {
				t.Errorf("terminal: no status line naming table, stage and bytes:\n%q", text)
			}
			if !strings.Contains(text, "\r\x1b[K"+addr+": Copied after 1s [2 objects copied]\n") {
				t.Errorf("terminal: the status line is not erased before the log line:\n%q", text)
			}
		} else if strings.Contains(text, "\r") || strings.Contains(text, "running]") {
			t.Errorf("not a terminal: status line printed:\n%q", text)
		}
		if !strings.Contains(text, addr+": Copying...\n") {
			t.Errorf("log line missing:\n%q", text)
		}
	}
}
