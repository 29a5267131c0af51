package plan

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// FuzzDecode feeds arbitrary bytes to Decode, the reader of saved plans a
// user hands to apply. Nothing may panic, and a plan Decode accepts must
// render with RenderJSON and decode again to an equal plan: otherwise a
// saved plan would not be the plan that was reviewed.
func FuzzDecode(f *testing.F) {
	var fixture bytes.Buffer
	if err := RenderJSON(&fixture, fixturePlan()); err != nil {
		f.Fatal(err)
	}
	f.Add(fixture.Bytes())
	f.Add([]byte(`{"format_version":"1.0","resources":[]}`))
	f.Add([]byte(`{"format_version":"1.7","created_at":"2026-03-01T10:15:00+05:30","resources":[{"address":"a","action":"replace","reason":"tainted","copy":{"options":{}}}]}`))
	f.Add([]byte(`{"format_version":"2.0"}`))
	f.Add([]byte(`{"format_version":"1.0","resources":[null]}`))
	f.Add([]byte(`{"format_version":"1.0","resources":[{"address":"a","action":"explode"}]}`))
	f.Add([]byte(`{"format_version":"1.0","resources":[{"address":"q","query":{"tolerance":-0}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Decode(bytes.NewReader(data))
		if err != nil {
			if p != nil {
				t.Fatalf("plan returned with error %v", err)
			}
			return
		}
		var out bytes.Buffer
		if err := RenderJSON(&out, p); err != nil {
			t.Fatalf("RenderJSON of a decoded plan: %v", err)
		}
		again, err := Decode(bytes.NewReader(out.Bytes()))
		if err != nil {
			t.Fatalf("Decode of a rendered plan: %v\n%s", err, out.Bytes())
		}
		// omitempty turns an empty list or map into an absent one; that
		// is the same plan.
		if diff := cmp.Diff(p, again, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("round trip changed the plan (-decoded +again):\n%s", diff)
		}
	})
}
