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
// readable in CI logs). On a terminal it also keeps one status line at the
// bottom, redrawn every second: what runs, at which stage, bytes moved and
// time elapsed.
type progress struct {
	g        *globals
	redact   func(string) string
	terminal bool
	status   bool // a status line is on screen
	started  time.Time
	doneN    int
	mu       sync.Mutex
	running  map[string]time.Time
	kinds    map[string]plan.Kind
	last     map[string]string
	done     chan struct{}
	once     sync.Once
}

func newProgress(g *globals, redact func(string) string) *progress {
	p := &progress{g: g, redact: redact, running: map[string]time.Time{}, kinds: map[string]plan.Kind{},
		last: map[string]string{}, done: make(chan struct{}), terminal: g.io.Terminal, started: time.Now()}
	go p.tick()
	if p.terminal {
		go p.redraw()
	}
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
	p.clearStatus()
	defer p.drawStatus(time.Now())
	switch ev.Type {
	case executor.EventStart:
		p.running[ev.Addr] = ev.Time
		p.kinds[ev.Addr] = ev.Kind
		fmt.Fprintf(out, "%s: %s...\n", ev.Addr, v[0])
	case executor.EventProgress:
		p.last[ev.Addr] = ev.Message
	case executor.EventDone:
		delete(p.running, ev.Addr)
		p.doneN++
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
			p.clearStatus()
			for _, addr := range sortedKeys(p.running) {
				extra := ""
				if m := p.last[addr]; m != "" {
					extra = ", " + m
				}
				fmt.Fprintf(p.g.io.Out, "%s: Still %s... [%s elapsed%s]\n", addr,
					strings.ToLower(verbs[p.kinds[addr]][0]), round(now.Sub(p.running[addr])), extra)
			}
			p.drawStatus(now)
			p.mu.Unlock()
		}
	}
}

func (p *progress) stop() {
	p.once.Do(func() {
		close(p.done)
		p.mu.Lock()
		p.clearStatus()
		p.mu.Unlock()
	})
}

// redraw refreshes the terminal status line every second.
func (p *progress) redraw() {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-p.done:
			return
		case now := <-t.C:
			p.mu.Lock()
			p.clearStatus()
			p.drawStatus(now)
			p.mu.Unlock()
		}
	}
}

// statusLine is the one-line summary of what runs now.
func (p *progress) statusLine(now time.Time) string {
	var parts []string
	for _, addr := range sortedKeys(p.running) {
		item := fmt.Sprintf("%s %s %s", tableOf(addr), p.kinds[addr], round(now.Sub(p.running[addr])).Truncate(time.Second))
		if m := p.last[addr]; m != "" {
			item += " (" + m + ")"
		}
		parts = append(parts, item)
	}
	line := fmt.Sprintf("[%s, %d done, %d running] %s", round(now.Sub(p.started)).Truncate(time.Second), p.doneN, len(p.running), strings.Join(parts, "; "))
	if len(line) > 160 {
		line = line[:157] + "..."
	}
	return line
}

// drawStatus writes the status line without a newline (terminals only).
func (p *progress) drawStatus(now time.Time) {
	select {
	case <-p.done:
		return
	default:
	}
	if !p.terminal || len(p.running) == 0 {
		return
	}
	fmt.Fprint(p.g.io.Out, p.statusLine(now))
	p.status = true
}

// clearStatus erases the status line before a log line is printed.
func (p *progress) clearStatus() {
	if p.status {
		fmt.Fprint(p.g.io.Out, "\r\x1b[K")
		p.status = false
	}
}

// tableOf shortens a resource address to its table ("main.lineitem").
func tableOf(addr string) string {
	g := plan.GroupKey(addr)
	if i := strings.Index(g, ".table."); i >= 0 {
		return g[i+len(".table."):]
	}
	return g
}

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
