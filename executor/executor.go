package executor

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ferry-dev/ferry/internal/dag"
	"github.com/ferry-dev/ferry/planner"
	"github.com/ferry-dev/ferry/planner/plan"
	"github.com/ferry-dev/ferry/provider"
	"github.com/ferry-dev/ferry/state"
	"github.com/ferry-dev/ferry/verify"
)

// Options are what an apply needs besides the plan.
type Options struct {
	Providers planner.Providers
	// Copier returns the copy engine of a migration for a copy spec's
	// engine name and options ("stream", "online_migration", "external").
	Copier func(migration, engine string, options map[string]string) (provider.Copier, error)
	State  *state.Sync
	// History, when set, receives one record per action.
	History      state.HistoryWriter
	Parallelism  int
	Operator     string
	FerryVersion string
	// OnEvent, when set, receives progress events.
	OnEvent func(Event)
	// Redact removes secrets from text that goes to state, history and
	// events. nil: identity.
	Redact func(string) string
	// Now is the clock (tests fix it).
	Now func() time.Time
}

// Result is what an apply did.
type Result struct {
	Done    []string
	Failed  map[string]error
	Skipped map[string]string
	// Reports are the verification reports of this apply, by address.
	Reports map[string]*verify.Report
}

// Err joins the failures, nil when every action succeeded.
func (r *Result) Err() error {
	if len(r.Failed) == 0 {
		return nil
	}
	addrs := make([]string, 0, len(r.Failed))
	for a := range r.Failed {
		addrs = append(addrs, a)
	}
	sort.Strings(addrs)
	if len(addrs) == 1 {
		return fmt.Errorf("%s: %w", addrs[0], r.Failed[addrs[0]])
	}
	return fmt.Errorf("%d actions failed, first %s: %w", len(addrs), addrs[0], r.Failed[addrs[0]])
}

// executor is one apply in progress.
type executor struct {
	opts    Options
	plan    *plan.Plan
	byAddr  map[string]*plan.Resource
	mu      sync.Mutex
	reports map[string]*verify.Report
	tables  targetTables
}

// Apply runs the plan's changes. stop cancels gracefully (no new action
// starts); abort interrupts running actions as well.
//
// Actions ready at the same time start largest table first.
func Apply(stop, abort context.Context, p *plan.Plan, opts Options) *Result {
	if opts.Redact == nil {
		opts.Redact = func(s string) string { return s }
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	e := &executor{opts: opts, plan: p, byAddr: map[string]*plan.Resource{}, reports: map[string]*verify.Report{}}
	g := dag.New()
	for _, r := range p.Resources {
		e.byAddr[r.Addr] = r
	}
	for _, r := range p.Changes() {
		g.Add(r.Addr)
		for _, dep := range r.DependsOn {
			if d := e.byAddr[dep]; d != nil && d.Action != plan.NoOp && d.Action != plan.Forget {
				g.Connect(r.Addr, dep)
			}
		}
	}
	// Largest tables first: at equal readiness a table's actions start in
	// the order of its size, so the longest chain (unload, copy, load and
	// verify of the biggest table) is not left to run alone at the end.
	for _, addr := range g.Vertices() {
		g.SetPriority(addr, e.tableSize(addr))
	}
	wr := g.Walk(stop, opts.Parallelism, func(_ context.Context, addr string) error {
		return e.run(abort, e.byAddr[addr])
	})
	for addr, why := range wr.Skipped {
		r := e.byAddr[addr]
		e.emit(Event{Type: EventSkipped, Addr: addr, Kind: r.Kind, Action: r.Action, Message: why})
	}
	return &Result{Done: wr.Done, Failed: wr.Failed, Skipped: wr.Skipped, Reports: e.reports}
}

func (e *executor) emit(ev Event) {
	if e.opts.OnEvent == nil {
		return
	}
	if ev.Time.IsZero() {
		ev.Time = e.opts.Now()
	}
	e.opts.OnEvent(ev)
}

// outcome is what an action produced.
type outcome struct {
	observed map[string]string
	output   any
	// details, when set, goes to the history instead of output (a full
	// verification report with every statement; the state keeps a
	// compact summary).
	details   any
	rows      int64
	bytes     int64
	message   string
	statement string
	// taint names other resources to mark tainted (a failed verification
	// taints its load).
	taint []string
}

// run executes one resource with the running/done/tainted protocol.
func (e *executor) run(ctx context.Context, r *plan.Resource) error {
	start := e.opts.Now()
	if r.Action == plan.Forget {
		if err := e.opts.State.Remove(r.Addr); err != nil {
			return err
		}
		e.record(r, start, outcome{message: "forgotten"}, nil)
		return nil
	}
	gen, err := e.generation(r)
	if err != nil {
		return err
	}
	if err := e.opts.State.Update(r.Addr, func(s *state.Resource) {
		s.Kind = string(r.Kind)
		s.Status = state.StatusRunning
		s.Fingerprint = r.Fingerprint
		s.Generation = gen
		s.Error = ""
		s.StartedAt = start.UTC()
	}); err != nil {
		return err
	}
	e.emit(Event{Type: EventStart, Addr: r.Addr, Kind: r.Kind, Action: r.Action})
	out, err := e.act(ctx, r, gen)
	if err != nil {
		msg := e.opts.Redact(err.Error())
		_ = e.opts.State.Update(r.Addr, func(s *state.Resource) {
			s.Status = state.StatusTainted
			s.Error = msg
		})
		for _, a := range out.taint {
			e.taint(a, msg)
		}
		e.record(r, start, out, err)
		e.emit(Event{Type: EventFailed, Addr: r.Addr, Kind: r.Kind, Action: r.Action, Elapsed: e.opts.Now().Sub(start), Err: msg})
		// The walk reports failures by address; the message need not
		// repeat it.
		return errors.New(msg)
	}
	var raw json.RawMessage
	if out.output != nil {
		raw, _ = json.Marshal(out.output)
	}
	if err := e.opts.State.Update(r.Addr, func(s *state.Resource) {
		s.Status = state.StatusDone
		s.Observed = out.observed
		s.Output = raw
	}); err != nil {
		return err
	}
	e.record(r, start, out, nil)
	e.emit(Event{Type: EventDone, Addr: r.Addr, Kind: r.Kind, Action: r.Action, Elapsed: e.opts.Now().Sub(start),
		Rows: out.rows, Bytes: out.bytes, Message: e.opts.Redact(out.message)})
	return nil
}

// taint marks another resource tainted (it must run again).
func (e *executor) taint(addr, why string) {
	_ = e.opts.State.Update(addr, func(s *state.Resource) {
		s.Status = state.StatusTainted
		s.Error = why
	})
}

// generation is the staging generation a resource works on: a new one
// for an unload, the unload's (through the copy) for the later steps.
func (e *executor) generation(r *plan.Resource) (string, error) {
	switch r.Kind {
	case plan.KindUnload:
		var b [3]byte
		_, _ = rand.Read(b[:])
		return "g" + e.opts.Now().UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:]), nil
	case plan.KindCopy, plan.KindLoad:
		up := e.opts.State.Get(r.DependsOn[0])
		if up == nil || up.Status != state.StatusDone || up.Generation == "" {
			return "", fmt.Errorf("%s has not completed", r.DependsOn[0])
		}
		return up.Generation, nil
	}
	return "", nil
}

func (e *executor) record(r *plan.Resource, start time.Time, out outcome, err error) {
	if e.opts.History == nil {
		return
	}
	rec := state.Record{
		PlanID: e.plan.ID, Addr: r.Addr, Action: r.Action.String() + " " + string(r.Kind),
		Operator: e.opts.Operator, FerryVersion: e.opts.FerryVersion,
		Start: start.UTC(), DurationMS: e.opts.Now().Sub(start).Milliseconds(),
		Bytes: out.bytes, Rows: out.rows, Result: "ok", Statement: e.opts.Redact(out.statement),
	}
	if err != nil {
		rec.Result = "error"
		rec.Error = e.opts.Redact(err.Error())
	}
	details := out.details
	if details == nil {
		details = out.output
	}
	if details != nil {
		if b, jerr := json.Marshal(details); jerr == nil {
			rec.Details = json.RawMessage(e.opts.Redact(string(b)))
		}
	}
	_ = e.opts.History.Append(rec)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// tableSize is the size of the table a resource belongs to, from the plan
// (the source's bytes, else its rows), or 0 for resources of no table.
func (e *executor) tableSize(addr string) int64 {
	i := strings.LastIndexByte(addr, '.')
	if i < 0 {
		return 0
	}
	u := e.byAddr[addr[:i]+".unload"]
	if u == nil || u.Unload == nil {
		return 0
	}
	if u.Unload.Bytes > 0 {
		return u.Unload.Bytes
	}
	return u.Unload.Rows
}
