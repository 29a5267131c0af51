package plan

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ferry-dev/ferry/internal/golden"
)

// TestRenderTextGolden pins the human plan: creates, replaces (with their
// reasons), forgets, risks, column mappings and the summary.
func TestRenderTextGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := RenderText(&buf, fixturePlan(), TextOptions{}); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "text.golden", buf.String())
}

// TestRenderJSONGolden pins the versioned JSON plan, and checks that it
// decodes back to the same plan.
func TestRenderJSONGolden(t *testing.T) {
	p := fixturePlan()
	var buf bytes.Buffer
	if err := RenderJSON(&buf, p); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "plan.json.golden", buf.String())
	back, err := Decode(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(p, back); diff != "" {
		t.Errorf("JSON round trip (-want +got):\n%s", diff)
	}
}

// TestRenderNoChanges covers every rendering of an empty plan.
func TestRenderNoChanges(t *testing.T) {
	p := &Plan{FormatVersion: FormatVersion}
	var buf bytes.Buffer
	if err := RenderText(&buf, p, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := buf.String(); got != NoChangesMessage+"\n" {
		t.Errorf("text: %q", got)
	}
	md := RenderMarkdown(p)
	if len(md) != 1 || !strings.Contains(md[0], NoChangesMessage) {
		t.Errorf("markdown: %q", md)
	}
	buf.Reset()
	if err := RenderJSON(&buf, p); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"format_version": "1.0"`) || !strings.Contains(buf.String(), `"resources": null`) {
		t.Errorf("json: %s", buf.String())
	}
}

// TestDecodeRefusesOtherMajorVersions keeps saved plans from a future
// format out.
func TestDecodeRefusesOtherMajorVersions(t *testing.T) {
	_, err := Decode(strings.NewReader(`{"format_version": "2.0", "resources": []}`))
	if err == nil || err.Error() != `saved plan has format version "2.0"; this ferry reads 1.0` {
		t.Fatalf("got %v", err)
	}
	_, err = Decode(strings.NewReader(`{"format_version": "1.0", "resources": [{"kind": "unload"}]}`))
	if err == nil || err.Error() != "saved plan is corrupt: resource 0 has no address" {
		t.Fatalf("got %v", err)
	}
}
