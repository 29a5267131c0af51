package dag

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Skip reasons recorded in WalkResult.Skipped for causes other than an
// upstream failure. An upstream failure is recorded as
// "upstream failed: " followed by the failed ancestors' names.
const (
	// ReasonCancelled marks a vertex that had not started when the walk's
	// context was cancelled.
	ReasonCancelled = "cancelled"
	// ReasonInvalidGraph marks every vertex of a graph that failed Validate;
	// nothing is run and WalkResult.Invalid holds the cycle error.
	ReasonInvalidGraph = "dependency cycle"
)

// WalkResult is the outcome of Walk. Every vertex of the graph appears in
// exactly one of Done, Failed or Skipped.
type WalkResult struct {
	// Done lists the vertices whose callback returned nil, sorted.
	Done []string
	// Failed maps each vertex whose callback returned an error (or
	// panicked) to that error.
	Failed map[string]error
	// Skipped maps each vertex that was never run to the reason: the
	// failed ancestors ("upstream failed: load.orders"), ReasonCancelled or
	// ReasonInvalidGraph.
	Skipped map[string]string
	// Invalid is the Validate error when the graph could not be walked at
	// all, and nil otherwise.
	Invalid error
}

// Err joins the graph error, if any, and the failures sorted by vertex name,
// each prefixed with its vertex. Skipped vertices contribute nothing: their
// cause is already in the list. Err returns nil when nothing failed.
func (r *WalkResult) Err() error {
	var errs []error
	if r.Invalid != nil {
		errs = append(errs, r.Invalid)
	}
	for _, name := range slices.Sorted(maps.Keys(r.Failed)) {
		errs = append(errs, fmt.Errorf("%s: %w", name, r.Failed[name]))
	}
	return errors.Join(errs...)
}

// Walk calls fn for every vertex, starting each one as soon as all of its
// dependencies have succeeded and never running more than parallelism
// callbacks at once (a value of zero or less means one at a time).
//
// When fn returns an error for a vertex, none of its descendants run; they
// are recorded in Skipped with the names of the failed ancestors. Vertices
// marked with AlwaysRun are the exception: they run once every dependency
// has finished, however it finished.
//
// Once ctx is cancelled no further callback starts. Vertices not yet started
// are recorded as Skipped with ReasonCancelled (unless an upstream failure
// already explains them), and Walk waits for the callbacks still running,
// which receive ctx and should stop early themselves. A panic in fn is
// recovered and recorded as that vertex's failure.
//
// A graph that fails Validate is not walked: every vertex is skipped with
// ReasonInvalidGraph and the error is in WalkResult.Invalid.
func (g *Graph) Walk(ctx context.Context, parallelism int, fn func(ctx context.Context, name string) error) *WalkResult {
	res := &WalkResult{
		Done:    []string{},
		Failed:  map[string]error{},
		Skipped: map[string]string{},
	}
	if err := g.Validate(); err != nil {
		res.Invalid = err
		for _, v := range g.Vertices() {
			res.Skipped[v] = ReasonInvalidGraph
		}
		return res
	}
	w := &walker{
		g:       g,
		ctx:     ctx,
		fn:      fn,
		limit:   max(parallelism, 1),
		res:     res,
		waiting: make(map[string]int, g.Len()),
		failed:  make(map[string]map[string]struct{}, g.Len()),
		done:    make(chan outcome, g.Len()),
	}
	w.run()
	slices.Sort(res.Done)
	return res
}

// outcome is what a finished callback reports back to the walker.
type outcome struct {
	name string
	err  error
}

// walker is the state of one Walk. Only the goroutine running walker.run
// touches it; callbacks talk to it through the done channel.
type walker struct {
	g     *Graph
	ctx   context.Context
	fn    func(ctx context.Context, name string) error
	limit int
	res   *WalkResult

	// waiting counts, per vertex, the dependencies that have not finished.
	waiting map[string]int
	// failed holds, per vertex whose dependencies have all finished, the
	// failed vertices among its ancestors, and the vertex itself once it
	// has failed. Descendants inherit the union over their dependencies.
	failed map[string]map[string]struct{}
	// ready lists the vertices whose dependencies have all finished but
	// which have neither started nor been skipped, in start order
	// (readyOrder).
	ready   []string
	running int
	done    chan outcome
}

func (w *walker) run() {
	for _, v := range w.g.Vertices() {
		w.waiting[v] = len(w.g.deps[v])
		if w.waiting[v] == 0 {
			w.ready = append(w.ready, v)
		}
	}
	slices.SortFunc(w.ready, w.readyOrder)
	for {
		w.dispatch()
		if w.running == 0 {
			// With nothing running, dispatch has emptied ready (it
			// either starts or skips), so every vertex is accounted for.
			return
		}
		o := <-w.done
		w.running--
		if o.err != nil {
			w.res.Failed[o.name] = o.err
			w.failed[o.name][o.name] = struct{}{}
		} else {
			w.res.Done = append(w.res.Done, o.name)
		}
		w.finish(o.name)
	}
}

// readyOrder orders ready vertices: higher priority first, then by name.
func (w *walker) readyOrder(a, b string) int {
	if pa, pb := w.g.priority[a], w.g.priority[b]; pa != pb {
		return cmp.Compare(pb, pa)
	}
	return strings.Compare(a, b)
}

// dispatch skips every ready vertex that must not run and starts ready
// vertices, highest priority (then smallest name) first, while a slot is
// free. Skipping a vertex may
// make others ready, so it loops until nothing more can happen.
func (w *walker) dispatch() {
	for i := 0; i < len(w.ready); {
		v := w.ready[i]
		reason, skip := w.skipReason(v)
		if !skip && w.running >= w.limit {
			i++
			continue
		}
		w.ready = slices.Delete(w.ready, i, i+1)
		if skip {
			w.res.Skipped[v] = reason
			w.finish(v)
			i = 0 // finish may have inserted vertices anywhere in ready
			continue
		}
		w.start(v)
	}
}

// skipReason decides whether a ready vertex v must be skipped, and records
// the failed ancestors v passes on to its own dependents.
func (w *walker) skipReason(v string) (string, bool) {
	up := make(map[string]struct{})
	for d := range w.g.deps[v] {
		maps.Copy(up, w.failed[d])
	}
	w.failed[v] = up
	if len(up) > 0 && !w.g.IsAlwaysRun(v) {
		return "upstream failed: " + strings.Join(sortedSet(up), ", "), true
	}
	if w.ctx.Err() != nil {
		return ReasonCancelled, true
	}
	return "", false
}

// start runs fn for v in its own goroutine.
func (w *walker) start(v string) {
	w.running++
	go func() {
		w.done <- outcome{name: v, err: w.call(v)}
	}()
}

// call runs fn, turning a panic into an error so that one broken callback
// fails its vertex instead of the whole process.
func (w *walker) call(v string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return w.fn(w.ctx, v)
}

// finish marks v as finished and moves the dependents it was the last
// outstanding dependency of into ready.
func (w *walker) finish(v string) {
	for d := range w.g.dependents[v] {
		w.waiting[d]--
		if w.waiting[d] == 0 {
			i, _ := slices.BinarySearchFunc(w.ready, d, w.readyOrder)
			w.ready = slices.Insert(w.ready, i, d)
		}
	}
}
