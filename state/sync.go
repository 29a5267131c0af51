package state

import (
	"fmt"
	"sync"
	"time"
)

// Persister stores a whole state. Save increments the serial and returns
// an error when the state could not be made durable; the caller then still
// holds the only copy of the change. *Filesystem implements it.
type Persister interface {
	Save(*File) error
}

var _ Persister = (*Filesystem)(nil)

// Sync is the one writer an apply shares between its parallel actions.
// Every change goes through a single mutex and is persisted before the
// call returns, so what the state says happened has happened, and an
// action marked StatusRunning before its side effects shows up after a
// crash.
type Sync struct {
	mu  sync.Mutex
	p   Persister
	f   *File
	now func() time.Time
}

// NewSync returns a writer that owns f from now on: callers read it only
// through Snapshot. A nil f starts from an empty state with no lineage.
func NewSync(p Persister, f *File) *Sync {
	if f == nil {
		f = New("", "")
	}
	if f.Resources == nil {
		f.Resources = map[string]*Resource{}
	}
	return &Sync{p: p, f: f, now: time.Now}
}

// Update applies fn to the resource at addr, creating it when missing, sets
// its UpdatedAt and saves the whole state. fn runs under the writer's
// mutex and must not keep r. When saving fails the change stays in memory
// (it describes work that was done) and the error is returned; the caller
// should stop and DumpErrored a Snapshot.
func (s *Sync) Update(addr string, fn func(r *Resource)) error {
	if addr == "" {
		return fmt.Errorf("update state: empty resource address")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.f.Resources[addr]
	if !ok {
		r = &Resource{Addr: addr}
		s.f.Resources[addr] = r
	}
	if fn != nil {
		fn(r)
	}
	r.Addr = addr
	r.UpdatedAt = s.now().UTC()
	if err := s.persist(addr); err != nil {
		return fmt.Errorf("save state after updating %s: %w", addr, err)
	}
	return nil
}

// persist makes the change of the resource at addr durable: one journal
// line when the Persister keeps a journal, else the whole state.
func (s *Sync) persist(addr string) error {
	if j, ok := s.p.(Journal); ok {
		return j.Append(s.f, addr)
	}
	return s.p.Save(s.f)
}

// Remove deletes the resource at addr and saves the state. Removing an
// address that is not there saves nothing and returns nil.
func (s *Sync) Remove(addr string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.f.Resources[addr]; !ok {
		return nil
	}
	delete(s.f.Resources, addr)
	if err := s.persist(addr); err != nil {
		return fmt.Errorf("save state after removing %s: %w", addr, err)
	}
	return nil
}

// Snapshot returns a deep copy of the current state, safe to read while
// other goroutines keep updating.
func (s *Sync) Snapshot() *File {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.f.Clone()
}

// Get returns a copy of the resource at addr, or nil when there is none.
func (s *Sync) Get(addr string) *Resource {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.f.Resources[addr]
	if !ok {
		return nil
	}
	c := *r
	c.Observed = make(map[string]string, len(r.Observed))
	for k, v := range r.Observed {
		c.Observed[k] = v
	}
	c.Output = append([]byte(nil), r.Output...)
	return &c
}
