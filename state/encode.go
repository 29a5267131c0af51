package state

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"sort"
)

// Error is a state file that cannot be used as it is: corrupt, written by a
// newer ferry, or in a format this build does not know. Hint tells the user
// what to do about it; Error does not include it so callers can print it
// on its own lines.
type Error struct {
	// Path is the file the state was read from, when known.
	Path string
	// Msg says what is wrong with the file.
	Msg string
	// Hint says how to recover.
	Hint string
	// Err is the underlying decoding error, if any.
	Err error
}

// Error returns the message, prefixed by the path when there is one.
func (e *Error) Error() string {
	if e.Path != "" {
		return e.Path + ": " + e.Msg
	}
	return e.Msg
}

// Unwrap returns the underlying decoding error.
func (e *Error) Unwrap() error { return e.Err }

// fileJSON is the on-disk shape. Resources are a list sorted by address so
// the file diffs well and the bytes depend only on the content.
type fileJSON struct {
	Version      int         `json:"version"`
	FerryVersion string      `json:"ferry_version"`
	Lineage      string      `json:"lineage"`
	Serial       uint64      `json:"serial"`
	Resources    []*Resource `json:"resources"`
}

// header is what Read looks at before it trusts the rest of the file.
type header struct {
	Version      int    `json:"version"`
	FerryVersion string `json:"ferry_version"`
}

// Read decodes a state file. It reads the format version first and refuses
// files it cannot interpret with an *Error carrying a Hint, so a state
// written by a newer ferry is never half-read and then overwritten.
func Read(r io.Reader) (*File, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read state: %w", err)
	}
	return ReadBytes(data)
}

// ReadBytes is Read on bytes already in memory: one syntax pass over the
// whole file (the header is checked before any resource is decoded), then
// the resources.
func ReadBytes(data []byte) (*File, error) {
	if f, ok := decodeLayout(data); ok {
		return f, nil
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		var h header // for the error Read always gave
		if err2 := json.Unmarshal(data, &h); err2 != nil {
			return nil, corrupt(err2)
		}
		return nil, corrupt(err)
	}
	var h header
	for k, dst := range map[string]any{"version": &h.Version, "ferry_version": &h.FerryVersion} {
		if raw, ok := top[k]; ok {
			if err := json.Unmarshal(raw, dst); err != nil {
				var whole header
				if err2 := json.Unmarshal(data, &whole); err2 != nil {
					return nil, corrupt(err2)
				}
				return nil, corrupt(err)
			}
		}
	}
	switch {
	case h.Version > Version:
		fv := h.FerryVersion
		if fv == "" {
			fv = "(unknown version)"
		}
		return nil, &Error{
			Msg: fmt.Sprintf("state file was written by ferry %s (format version %d); this ferry (format version %d) cannot read it — upgrade ferry",
				fv, h.Version, Version),
			Hint: "Install ferry " + fv + " or later. The state file was not changed.",
		}
	case h.Version == Version:
		return decodeV1(h, top)
	default:
		return nil, &Error{
			Msg:  fmt.Sprintf("unsupported state format version %d", h.Version),
			Hint: `A ferry state file starts with {"version": 1, ...}. Check that the path points at a ferry state file; it was not changed.`,
		}
	}
}

// decodeV1 decodes format version 1, the current one. Older formats, when
// there are any, get their own decoder that upgrades to File.
func decodeV1(h header, top map[string]json.RawMessage) (*File, error) {
	fj := fileJSON{Version: h.Version, FerryVersion: h.FerryVersion}
	for k, dst := range map[string]any{"lineage": &fj.Lineage, "serial": &fj.Serial, "resources": &fj.Resources} {
		if raw, ok := top[k]; ok {
			if err := json.Unmarshal(raw, dst); err != nil {
				return nil, corrupt(err)
			}
		}
	}
	f, err := resourcesOf(fj)
	if err != nil {
		return nil, corrupt(err)
	}
	return f, nil
}

// resourcesOf builds a File from its decoded on-disk shape, refusing
// resources without an address and duplicate addresses.
func resourcesOf(fj fileJSON) (*File, error) {
	f := &File{
		Version:      fj.Version,
		FerryVersion: fj.FerryVersion,
		Lineage:      fj.Lineage,
		Serial:       fj.Serial,
		Resources:    make(map[string]*Resource, len(fj.Resources)),
	}
	for i, r := range fj.Resources {
		if r == nil || r.Addr == "" {
			return nil, fmt.Errorf("resource %d has no addr", i)
		}
		if _, dup := f.Resources[r.Addr]; dup {
			return nil, fmt.Errorf("duplicate resource %q", r.Addr)
		}
		if spaced(r.Output) {
			// A hand-edited or older state may carry indented Output;
			// compact it so a decoded state equals the one written.
			var buf bytes.Buffer
			if err := json.Compact(&buf, r.Output); err != nil {
				return nil, err
			}
			r.Output = buf.Bytes()
		}
		f.Resources[r.Addr] = r
	}
	return f, nil
}

// lineCache remembers the encoded line of each resource with a copy of
// the resource it encodes. An apply saves the whole state after every
// action but changes one resource at a time; encoding every resource again
// (json.Marshal compacts each Output anew) was two thirds of the CPU of a
// 1,000-table apply.
type lineCache struct {
	m map[string]cachedLine
}

// cachedLine is one resource as it was encoded, and its line.
type cachedLine struct {
	r    Resource
	line []byte
}

// line returns r's encoded line, from the cache when r is unchanged.
func (c *lineCache) line(r *Resource) ([]byte, error) {
	if c == nil {
		return json.Marshal(r)
	}
	if e, ok := c.m[r.Addr]; ok && sameResource(&e.r, r) {
		return e.line, nil
	}
	b, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	if c.m == nil {
		c.m = map[string]cachedLine{}
	}
	snap := *r
	snap.Observed = maps.Clone(r.Observed)
	snap.Output = bytes.Clone(r.Output)
	c.m[r.Addr] = cachedLine{r: snap, line: b}
	return b, nil
}

// forget drops the lines of resources no longer in f.
func (c *lineCache) forget(f *File) {
	if c == nil || len(c.m) == len(f.Resources) {
		return
	}
	for a := range c.m {
		if _, ok := f.Resources[a]; !ok {
			delete(c.m, a)
		}
	}
}

// sameResource reports whether a and b encode to the same bytes.
func sameResource(a, b *Resource) bool {
	return a.Addr == b.Addr && a.Kind == b.Kind && a.Status == b.Status &&
		a.Fingerprint == b.Fingerprint && a.Generation == b.Generation && a.Error == b.Error &&
		a.StartedAt == b.StartedAt && a.UpdatedAt == b.UpdatedAt &&
		maps.Equal(a.Observed, b.Observed) && (a.Observed == nil) == (b.Observed == nil) &&
		bytes.Equal(a.Output, b.Output) && (a.Output == nil) == (b.Output == nil)
}

// spaced reports whether raw JSON has white space outside its strings,
// i.e. whether json.Compact would change it. Output written by Marshal
// never has; only a hand-edited state does, and scanning is far cheaper
// than compacting every output (load statements are full of blanks
// inside strings).
func spaced(raw []byte) bool {
	in, esc := false, false
	for _, c := range raw {
		switch {
		case esc:
			esc = false
		case in && c == '\\':
			esc = true
		case c == '"':
			in = !in
		case !in && (c == ' ' || c == '\n' || c == '\t' || c == '\r'):
			return true
		}
	}
	return false
}

func corrupt(err error) *Error {
	return &Error{
		Msg:  "state file is corrupt: " + err.Error(),
		Hint: "The state file was not changed. Restore it from the .backup file next to it, or from version control, and run ferry again.",
		Err:  err,
	}
}

// Write encodes f as indented JSON with a trailing newline. The bytes depend
// only on the content of f: resources are sorted by address and map keys
// are sorted by encoding/json.
func Write(w io.Writer, f *File) error {
	data, err := Marshal(f)
	if err != nil {
		return err
	}
	_, err = w.Write(data)
	return err
}

// Marshal returns the bytes Write would write.
func Marshal(f *File) ([]byte, error) { return marshal(f, nil) }

// marshal is Marshal, reusing the encoded line of every resource that is
// unchanged since cache last encoded it (a nil cache encodes all).
func marshal(f *File, cache *lineCache) ([]byte, error) {
	if f == nil {
		return nil, errors.New("write state: nil file")
	}
	fj := fileJSON{
		Version:      f.Version,
		FerryVersion: f.FerryVersion,
		Lineage:      f.Lineage,
		Serial:       f.Serial,
		Resources:    make([]*Resource, 0, len(f.Resources)),
	}
	for addr, r := range f.Resources {
		if r == nil {
			return nil, fmt.Errorf("write state: resource %q is nil", addr)
		}
		if r.Addr != addr {
			return nil, fmt.Errorf("write state: resource stored under %q has addr %q", addr, r.Addr)
		}
		fj.Resources = append(fj.Resources, r)
	}
	sort.Slice(fj.Resources, func(i, j int) bool { return fj.Resources[i].Addr < fj.Resources[j].Addr })
	// The header fields one per line, then one compact resource per line:
	// fast to write and read at tens of thousands of resources, and still
	// a line-per-resource diff when a state is compared by hand.
	var buf bytes.Buffer
	buf.WriteString("{\n")
	for _, kv := range []struct {
		k string
		v any
	}{{"version", fj.Version}, {"ferry_version", fj.FerryVersion}, {"lineage", fj.Lineage}, {"serial", fj.Serial}} {
		b, err := json.Marshal(kv.v)
		if err != nil {
			return nil, fmt.Errorf("write state: %w", err)
		}
		fmt.Fprintf(&buf, "  %q: %s,\n", kv.k, b)
	}
	buf.WriteString(`  "resources": [`)
	for i, r := range fj.Resources {
		b, err := cache.line(r)
		if err != nil {
			return nil, fmt.Errorf("write state: %w", err)
		}
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteString("\n    ")
		buf.Write(b)
	}
	if len(fj.Resources) > 0 {
		buf.WriteString("\n  ")
	}
	buf.WriteString("]\n}\n")
	return buf.Bytes(), nil
}
