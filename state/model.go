package state

import (
	"encoding/json"
	"sort"
	"time"
)

// Version is the state format version this build writes.
const Version = 1

// Status is where a resource stands.
type Status string

// Resource statuses. A resource is marked Running before its action has
// any side effect and Done or Tainted after, so a crash leaves Running
// behind and the next plan redoes exactly that work.
const (
	StatusRunning Status = "running"
	StatusDone    Status = "done"
	StatusTainted Status = "tainted"
)

// File is the whole state: what ferry has done, per resource address.
type File struct {
	Version      int    `json:"version"`
	FerryVersion string `json:"ferry_version"`
	// Lineage is a UUID fixed when the state is first created; serials
	// are comparable only within one lineage.
	Lineage string `json:"lineage"`
	// Serial increases by one on every write.
	Serial    uint64               `json:"serial"`
	Resources map[string]*Resource `json:"-"`
}

// Resource is the recorded outcome of one resource's last action.
type Resource struct {
	Addr        string `json:"addr"`
	Kind        string `json:"kind"` // unload, copy, table, load, verify
	Status      Status `json:"status"`
	Fingerprint string `json:"fingerprint"`
	// Generation names the staging folder an unload wrote (and the copy
	// and load that used it).
	Generation string `json:"generation,omitempty"`
	// Observed holds facts recorded when the action ran, compared by the
	// next plan to detect drift (source rows/bytes/version, object counts).
	Observed map[string]string `json:"observed,omitempty"`
	// Output is the kind-specific result (manifest summary, copy result,
	// verification report).
	Output    json.RawMessage `json:"output,omitempty"`
	Error     string          `json:"error,omitempty"`
	StartedAt time.Time       `json:"started_at"`
	UpdatedAt time.Time       `json:"updated_at"`
}

// New returns an empty state with a fresh lineage.
func New(ferryVersion, lineage string) *File {
	return &File{Version: Version, FerryVersion: ferryVersion, Lineage: lineage, Resources: map[string]*Resource{}}
}

// Addrs returns the resource addresses, sorted.
func (f *File) Addrs() []string {
	out := make([]string, 0, len(f.Resources))
	for a := range f.Resources {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

// Clone returns a deep copy.
func (f *File) Clone() *File {
	c := *f
	c.Resources = make(map[string]*Resource, len(f.Resources))
	for a, r := range f.Resources {
		rc := *r
		if r.Observed != nil {
			rc.Observed = make(map[string]string, len(r.Observed))
			for k, v := range r.Observed {
				rc.Observed[k] = v
			}
		}
		if r.Output != nil {
			rc.Output = append(json.RawMessage(nil), r.Output...)
		}
		c.Resources[a] = &rc
	}
	return &c
}
