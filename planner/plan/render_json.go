package plan

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// RenderJSON writes the plan as versioned JSON (format_version), the same
// document a saved plan holds.
func RenderJSON(w io.Writer, p *Plan) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(p)
}

// Decode reads a JSON plan, refusing an unknown major format version.
func Decode(r io.Reader) (*Plan, error) {
	var p Plan
	dec := json.NewDecoder(r)
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("saved plan is corrupt: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("saved plan is corrupt: unexpected data after the plan")
	}
	major := strings.SplitN(p.FormatVersion, ".", 2)[0]
	if major != strings.SplitN(FormatVersion, ".", 2)[0] {
		return nil, fmt.Errorf("saved plan has format version %q; this ferry reads %s", p.FormatVersion, FormatVersion)
	}
	for i, res := range p.Resources {
		if res == nil || res.Addr == "" {
			return nil, fmt.Errorf("saved plan is corrupt: resource %d has no address", i)
		}
	}
	return &p, nil
}
