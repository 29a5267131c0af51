package provider

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzParseManifest checks that no input panics ParseManifest, that what
// it accepts keeps its invariants (every entry has a url, no negative
// counts, the total is the entries' sum), and that the accepted manifest
// survives a round trip through its own JSON.
func FuzzParseManifest(f *testing.F) {
	f.Add([]byte(verboseManifest))
	f.Add([]byte(`{"entries":[{"url":"s3://mybucket/tickit/venue_0000_part_00"}]}`))
	f.Add([]byte(`{"entries":[],"meta":{"content_length":0,"record_count":0}}`))
	f.Add([]byte(`{"entries":[{"url":"s3://b/a","meta":{"record_count":-1}}]}`))
	f.Add([]byte(`{"entries":[{"url":"s3://b/a","meta":{"record_count":9223372036854775807}},{"url":"s3://b/c","meta":{"record_count":1}}]}`))
	f.Add([]byte(`{"entries":null,"meta":{}}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseManifest(data)
		if err != nil {
			if m != nil {
				t.Fatalf("manifest returned with error %v", err)
			}
			return
		}
		var sum int64
		for i, e := range m.Entries {
			if e.URL == "" {
				t.Fatalf("entry %d has no url", i)
			}
			if e.Meta.RecordCount < 0 || e.Meta.ContentLength < 0 {
				t.Fatalf("entry %d has negative meta %+v", i, e.Meta)
			}
			sum += e.Meta.RecordCount
		}
		if sum != m.Meta.RecordCount {
			t.Fatalf("entries add up to %d records, meta says %d", sum, m.Meta.RecordCount)
		}
		out, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		again, err := ParseManifest(out)
		if err != nil {
			t.Fatalf("own JSON refused: %v\n%s", err, out)
		}
		if diff := cmp.Diff(m, again); diff != "" {
			t.Fatalf("round trip changed the manifest (-first +second):\n%s", diff)
		}
	})
}
