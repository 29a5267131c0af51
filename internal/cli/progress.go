package cli

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/ferry-dev/ferry/executor"
	"github.com/ferry-dev/ferry/planner/plan"
)

// progress prints apply events: a line per start and finish, and every
// 10 seconds a "still running" line for long actions (Terraform-style,
// readable both on a terminal and in CI logs).
type progress struct {
	g       *globals
	redact  func(string) string
	mu      sync.Mutex
	running map[string]time.Time
	kinds   map[string]plan.Kind
	last    map[string]string
	done    chan struct{}
	once    sync.Once
}

func newProgress(g *globals, redact func(string) string) *progress {
	p := &progress{g: g, redact: redact, running: map[string]time.Time{}, kinds: map[string]plan.Kind{},
		last: map[string]string{}, done: make(chan struct{})}
	go p.tick()
	return p
}

var verbs = map[plan.Kind][2]string{
	plan.KindUnload:  {"Unloading", "Unloaded"},
	plan.KindCopy:    {"Copying", "Copied"},
	plan.KindTable:   {"Creating", "Created"},
	plan.KindLoad:    {"Loading", "Loaded"},
	plan.KindVerify:  {"Verifying", "Verified"},
	plan.KindQuery:   {"Comparing", "Compared"},
	plan.KindCleanup: {"Cleaning up", "Cleaned up"},
}

func (p *progress) event(ev executor.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	v := verbs[ev.Kind]
	if ev.Action == plan.Forget {
		v = [2]string{"Forgetting", "Forgotten"}
	}
	out := p.g.io.Out
	switch ev.Type {
	case executor.EventStart:
		p.running[ev.Addr] = ev.Time
		p.kinds[ev.Addr] = ev.Kind
		fmt.Fprintf(out, "%s: %s...\n", ev.Addr, v[0])
	case executor.EventProgress:
		p.last[ev.Addr] = ev.Message
	case executor.EventDone:
		delete(p.running, ev.Addr)
		msg := ""
		if ev.Message != "" {
			msg = " [" + p.redact(ev.Message) + "]"
		}
		fmt.Fprintf(out, "%s: %s after %s%s\n", ev.Addr, v[1], round(ev.Elapsed), msg)
	case executor.EventFailed:
		delete(p.running, ev.Addr)
		fmt.Fprintf(out, "%s: Failed after %s: %s\n", ev.Addr, round(ev.Elapsed), p.redact(firstLine(ev.Err)))
	case executor.EventSkipped:
		fmt.Fprintf(out, "%s: Not run (%s)\n", ev.Addr, ev.Message)
	}
}

func (p *progress) tick() {
	t := time.NewTicker(10 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-p.done:
			return
		case now := <-t.C:
			p.mu.Lock()
			for _, addr := range sortedKeys(p.running) {
				extra := ""
				if m := p.last[addr]; m != "" {
					extra = ", " + m
				}
				fmt.Fprintf(p.g.io.Out, "%s: Still %s... [%s elapsed%s]\n", addr,
					strings.ToLower(verbs[p.kinds[addr]][0]), round(now.Sub(p.running[addr])), extra)
			}
			p.mu.Unlock()
		}
	}
}

func (p *progress) stop() { p.once.Do(func() { close(p.done) }) }

func round(d time.Duration) time.Duration {
	if d < time.Second {
		return d.Round(time.Millisecond)
	}
	return d.Round(100 * time.Millisecond)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
