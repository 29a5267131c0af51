package dag

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"
)

// recorder logs callback starts and finishes in the order they happen.
type recorder struct {
	mu     sync.Mutex
	events []string
}

func (r *recorder) log(event string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, event)
}

// index returns the position of event, or -1 when it never happened.
func (r *recorder) index(event string) int {
	for i, e := range r.events {
		if e == event {
			return i
		}
	}
	return -1
}

func TestWalkRespectsDependencies(t *testing.T) {
	for _, par := range []int{1, 2, 4, 16} {
		t.Run(fmt.Sprintf("parallelism %d", par), func(t *testing.T) {
			g := migration()
			g.Connect("load.users", "load.orders") // a cross-table edge
			var rec recorder
			res := g.Walk(context.Background(), par, func(_ context.Context, name string) error {
				rec.log("start " + name)
				time.Sleep(time.Millisecond)
				rec.log("finish " + name)
				return nil
			})

			if want := g.Vertices(); !reflect.DeepEqual(res.Done, want) {
				t.Errorf("Done = %q, want %q", res.Done, want)
			}
			if len(res.Failed) != 0 || len(res.Skipped) != 0 || res.Err() != nil {
				t.Errorf("Failed = %v, Skipped = %v, Err = %v", res.Failed, res.Skipped, res.Err())
			}
			for _, v := range g.Vertices() {
				started := rec.index("start " + v)
				if started < 0 {
					t.Errorf("%s never started", v)
				}
				for _, d := range g.DependenciesOf(v) {
					if finished := rec.index("finish " + d); finished < 0 || finished > started {
						t.Errorf("%s started at event %d before dependency %s finished (event %d)", v, started, d, finished)
					}
				}
			}
		})
	}
}

func TestWalkParallelismBound(t *testing.T) {
	tests := []struct {
		parallelism, vertices, want int
	}{
		{parallelism: 1, vertices: 5, want: 1},
		{parallelism: 3, vertices: 8, want: 3},
		{parallelism: 8, vertices: 8, want: 8},
		{parallelism: 0, vertices: 4, want: 1},
		{parallelism: -2, vertices: 4, want: 1},
		{parallelism: 10, vertices: 4, want: 4},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d of %d", tt.parallelism, tt.vertices), func(t *testing.T) {
			g := New()
			for i := range tt.vertices {
				g.Add(fmt.Sprintf("v%02d", i))
			}
			var (
				mu       sync.Mutex
				cur, top int
				full     = make(chan struct{})
				once     sync.Once
			)
			res := g.Walk(context.Background(), tt.parallelism, func(context.Context, string) error {
				mu.Lock()
				cur++
				top = max(top, cur)
				if cur == tt.want {
					once.Do(func() { close(full) })
				}
				mu.Unlock()
				// Hold the slot until the expected number run together, so
				// a walker that allows fewer times out, and a little longer,
				// so one that allows more starts another callback and is
				// caught by top.
				select {
				case <-full:
				case <-time.After(5 * time.Second):
					return errors.New("expected concurrency never reached")
				}
				time.Sleep(5 * time.Millisecond)
				mu.Lock()
				cur--
				mu.Unlock()
				return nil
			})
			if err := res.Err(); err != nil {
				t.Fatal(err)
			}
			if len(res.Done) != tt.vertices {
				t.Errorf("Done %d vertices, want %d", len(res.Done), tt.vertices)
			}
			if top != tt.want {
				t.Errorf("max concurrent = %d, want %d", top, tt.want)
			}
		})
	}
}

// failOn returns a callback that fails the named vertices with "boom" and
// records which vertices ran.
func failOn(ran *recorder, failing ...string) func(context.Context, string) error {
	return func(_ context.Context, name string) error {
		ran.log(name)
		for _, f := range failing {
			if f == name {
				return errors.New("boom")
			}
		}
		return nil
	}
}

func TestWalkFailures(t *testing.T) {
	tests := []struct {
		name    string
		always  []string
		extra   [][2]string // extra edges, dependent then dependency
		failing []string
		done    []string
		failed  []string
		skipped map[string]string
		err     string
	}{
		{
			name:    "descendants skipped, sibling table runs",
			failing: []string{"stage.orders"},
			done:    []string{"load.users", "stage.users", "unload.orders", "unload.users", "verify.users"},
			failed:  []string{"stage.orders"},
			skipped: map[string]string{
				"load.orders":   "upstream failed: stage.orders",
				"verify.orders": "upstream failed: stage.orders",
				"report":        "upstream failed: stage.orders",
			},
			err: "stage.orders: boom",
		},
		{
			name:    "always-run verify sees the failed load; its dependents still skip",
			always:  []string{"verify.orders"},
			failing: []string{"load.orders"},
			done: []string{
				"load.users", "stage.orders", "stage.users", "unload.orders",
				"unload.users", "verify.orders", "verify.users",
			},
			failed:  []string{"load.orders"},
			skipped: map[string]string{"report": "upstream failed: load.orders"},
			err:     "load.orders: boom",
		},
		{
			name:    "always-run after a skipped dependency",
			always:  []string{"report"},
			failing: []string{"unload.users"},
			done:    []string{"load.orders", "report", "stage.orders", "unload.orders", "verify.orders"},
			failed:  []string{"unload.users"},
			skipped: map[string]string{
				"stage.users":  "upstream failed: unload.users",
				"load.users":   "upstream failed: unload.users",
				"verify.users": "upstream failed: unload.users",
			},
			err: "unload.users: boom",
		},
		{
			name:    "always-run vertex that fails itself",
			always:  []string{"verify.orders"},
			failing: []string{"load.orders", "verify.orders"},
			done:    []string{"load.users", "stage.orders", "stage.users", "unload.orders", "unload.users", "verify.users"},
			failed:  []string{"load.orders", "verify.orders"},
			skipped: map[string]string{"report": "upstream failed: load.orders, verify.orders"},
			err:     "load.orders: boom\nverify.orders: boom",
		},
		{
			name:    "several failed ancestors named in order",
			failing: []string{"verify.users", "unload.orders"},
			done:    []string{"load.users", "stage.users", "unload.users"},
			failed:  []string{"unload.orders", "verify.users"},
			skipped: map[string]string{
				"stage.orders":  "upstream failed: unload.orders",
				"load.orders":   "upstream failed: unload.orders",
				"verify.orders": "upstream failed: unload.orders",
				"report":        "upstream failed: unload.orders, verify.users",
			},
			err: "unload.orders: boom\nverify.users: boom",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := migration()
			for _, a := range tt.always {
				g.AlwaysRun(a)
			}
			var ran recorder
			res := g.Walk(context.Background(), 3, failOn(&ran, tt.failing...))

			if !reflect.DeepEqual(res.Done, tt.done) {
				t.Errorf("Done = %q, want %q", res.Done, tt.done)
			}
			var failed []string
			for _, v := range g.Vertices() {
				if _, ok := res.Failed[v]; ok {
					failed = append(failed, v)
				}
			}
			if !reflect.DeepEqual(failed, tt.failed) {
				t.Errorf("Failed = %q, want %q", failed, tt.failed)
			}
			if !reflect.DeepEqual(res.Skipped, tt.skipped) {
				t.Errorf("Skipped = %q, want %q", res.Skipped, tt.skipped)
			}
			if got := errString(res.Err()); got != tt.err {
				t.Errorf("Err() =\n%s\nwant\n%s", got, tt.err)
			}
			for v := range res.Skipped {
				if ran.index(v) >= 0 {
					t.Errorf("skipped vertex %s ran", v)
				}
			}
		})
	}
}

func TestWalkPanicBecomesFailure(t *testing.T) {
	g := New()
	g.Connect("b", "a")
	res := g.Walk(context.Background(), 2, func(_ context.Context, name string) error {
		if name == "a" {
			panic("bad column type")
		}
		return nil
	})
	if got, want := errString(res.Err()), "a: panic: bad column type"; got != want {
		t.Errorf("Err() = %q, want %q", got, want)
	}
	if want := map[string]string{"b": "upstream failed: a"}; !reflect.DeepEqual(res.Skipped, want) {
		t.Errorf("Skipped = %q, want %q", res.Skipped, want)
	}
}

func TestWalkCancelStopsNewStarts(t *testing.T) {
	// a cancels the walk; b, c and d have not started and must not.
	g := New()
	g.Connect("b", "a")
	g.Connect("c", "b")
	g.Add("d")
	g.AlwaysRun("c") // cancellation wins over AlwaysRun
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var ran recorder
	res := g.Walk(ctx, 1, func(_ context.Context, name string) error {
		ran.log(name)
		if name == "a" {
			cancel()
		}
		return nil
	})
	if want := []string{"a"}; !reflect.DeepEqual(ran.events, want) || !reflect.DeepEqual(res.Done, want) {
		t.Errorf("ran %q, Done %q, want %q", ran.events, res.Done, want)
	}
	want := map[string]string{"b": ReasonCancelled, "c": ReasonCancelled, "d": ReasonCancelled}
	if !reflect.DeepEqual(res.Skipped, want) {
		t.Errorf("Skipped = %q, want %q", res.Skipped, want)
	}
	if res.Err() != nil {
		t.Errorf("Err() = %v, want nil", res.Err())
	}
}

func TestWalkCancelWaitsForRunning(t *testing.T) {
	// a and b run together; a cancels once b is running. b stops on the
	// cancelled context and its failure is reported; Walk must not return
	// before b has returned.
	g := New()
	g.Add("a")
	g.Add("b")
	g.Add("c")          // waits for a slot, then is cancelled
	g.Connect("d", "a") // a succeeded, but d starts after cancel
	g.Connect("e", "b") // b fails, which explains e
	bRunning := make(chan struct{})
	var bReturned bool
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	res := g.Walk(ctx, 2, func(ctx context.Context, name string) error {
		switch name {
		case "a":
			<-bRunning
			cancel()
		case "b":
			close(bRunning)
			<-ctx.Done()
			time.Sleep(10 * time.Millisecond)
			bReturned = true
			return fmt.Errorf("unload interrupted: %w", ctx.Err())
		default:
			t.Errorf("%s started after cancel", name)
		}
		return nil
	})
	if !bReturned {
		t.Error("Walk returned before b finished")
	}
	if want := []string{"a"}; !reflect.DeepEqual(res.Done, want) {
		t.Errorf("Done = %q, want %q", res.Done, want)
	}
	if !errors.Is(res.Failed["b"], context.Canceled) || len(res.Failed) != 1 {
		t.Errorf("Failed = %v, want only b with context.Canceled", res.Failed)
	}
	want := map[string]string{"c": ReasonCancelled, "d": ReasonCancelled, "e": "upstream failed: b"}
	if !reflect.DeepEqual(res.Skipped, want) {
		t.Errorf("Skipped = %q, want %q", res.Skipped, want)
	}
	if got, want := errString(res.Err()), "b: unload interrupted: context canceled"; got != want {
		t.Errorf("Err() = %q, want %q", got, want)
	}
}

func TestWalkInvalidGraph(t *testing.T) {
	g := New()
	g.Connect("a", "b")
	g.Connect("b", "a")
	g.Add("c")
	res := g.Walk(context.Background(), 4, func(_ context.Context, name string) error {
		t.Errorf("%s ran on a cyclic graph", name)
		return nil
	})
	want := map[string]string{"a": ReasonInvalidGraph, "b": ReasonInvalidGraph, "c": ReasonInvalidGraph}
	if !reflect.DeepEqual(res.Skipped, want) {
		t.Errorf("Skipped = %q, want %q", res.Skipped, want)
	}
	if got, want := errString(res.Err()), "dependency cycle: a -> b -> a"; got != want {
		t.Errorf("Err() = %q, want %q", got, want)
	}
	if len(res.Done) != 0 {
		t.Errorf("Done = %q, want none", res.Done)
	}
}

// With one slot, ready vertices start highest priority first, then by
// name, including vertices that become ready later.
func TestWalkPriorityOrder(t *testing.T) {
	g := New()
	g.Connect("big.load", "big.unload")
	g.Connect("small.load", "small.unload")
	g.Add("a.unload")
	g.SetPriority("big.unload", 100)
	g.SetPriority("big.load", 100)
	g.SetPriority("small.unload", 5)
	g.SetPriority("small.load", 5)
	var order []string
	res := g.Walk(context.Background(), 1, func(_ context.Context, name string) error {
		order = append(order, name)
		return nil
	})
	if err := res.Err(); err != nil {
		t.Fatal(err)
	}
	want := []string{"big.unload", "big.load", "small.unload", "small.load", "a.unload"}
	if !slices.Equal(order, want) {
		t.Fatalf("start order = %v, want %v", order, want)
	}
}
