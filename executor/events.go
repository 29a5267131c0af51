package executor

import (
	"time"

	"github.com/ferry-dev/ferry/planner/plan"
)

// EventType says what happened to an action.
type EventType string

// Event types.
const (
	EventStart    EventType = "start"
	EventProgress EventType = "progress"
	EventDone     EventType = "done"
	EventFailed   EventType = "failed"
	EventSkipped  EventType = "skipped"
)

// Event reports an action's progress. Renderers subscribe through
// Options.OnEvent; it may be called from several goroutines at once.
type Event struct {
	Time    time.Time     `json:"time"`
	Type    EventType     `json:"type"`
	Addr    string        `json:"address"`
	Kind    plan.Kind     `json:"kind"`
	Action  plan.Action   `json:"action"`
	Elapsed time.Duration `json:"elapsed_ns"`
	Rows    int64         `json:"rows,omitempty"`
	Bytes   int64         `json:"bytes,omitempty"`
	// Message is a one-line summary ("60,175 rows in 3 files").
	Message string `json:"message,omitempty"`
	// Err is set for failed events (secrets already redacted).
	Err string `json:"error,omitempty"`
}
