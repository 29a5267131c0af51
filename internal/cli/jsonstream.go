package cli

import (
	"encoding/json"
	"io"
	"sort"
	"sync"
	"time"

	"github.com/ferry-dev/ferry/executor"
	"github.com/ferry-dev/ferry/planner/plan"
)

// jsonStream writes apply's machine-readable log: one JSON object per
// line, each with a "type" — "plan" (the summary), "start", "progress",
// "done", "failed", "skipped" (one per action event), "verification"
// (one per report) and "summary" (the last line).
type jsonStream struct {
	mu  sync.Mutex
	enc *json.Encoder
}

func newJSONStream(w io.Writer) *jsonStream { return &jsonStream{enc: json.NewEncoder(w)} }

func (s *jsonStream) write(v any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_ = s.enc.Encode(v)
}

func (s *jsonStream) plan(p *plan.Plan) {
	sum := p.Summarize()
	s.write(map[string]any{
		"type": "plan", "time": time.Now().UTC(), "plan_id": p.ID, "format_version": plan.FormatVersion,
		"create": sum.Create, "replace": sum.Replace, "forget": sum.Forget, "risks": p.Warnings,
	})
}

func (s *jsonStream) event(ev executor.Event) { s.write(ev) }

func (s *jsonStream) summary(res *executor.Result) {
	addrs := make([]string, 0, len(res.Reports))
	for a := range res.Reports {
		addrs = append(addrs, a)
	}
	sort.Strings(addrs)
	for _, a := range addrs {
		s.write(map[string]any{"type": "verification", "address": a, "report": res.Reports[a]})
	}
	failed := map[string]string{}
	for a, err := range res.Failed {
		failed[a] = err.Error()
	}
	s.write(map[string]any{"type": "summary", "done": len(res.Done), "failed": failed, "skipped": res.Skipped})
}
