package provider

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// verboseManifest is the MANIFEST VERBOSE example of the Redshift
// documentation, with the schema's dimensions written as valid JSON.
const verboseManifest = `{
  "entries": [
    {"url": "s3://b/venue/0000_part_00.parquet", "meta": {"content_length": 32295, "record_count": 10}},
    {"url": "s3://b/venue/0001_part_00.parquet", "meta": {"content_length": 96883, "record_count": 45}}
  ],
  "schema": {"elements": [
    {"name": "venueid", "type": {"base": "integer"}},
    {"name": "venuename", "type": {"base": "character varying", "byte_length": 25}}
  ]},
  "meta": {"content_length": 129178, "record_count": 55},
  "author": {"name": "Amazon Redshift", "version": "1.0.0"}
}`

func TestParseManifest(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want *Manifest
	}{
		{
			name: "verbose",
			in:   verboseManifest,
			want: &Manifest{
				Entries: []ManifestEntry{
					{URL: "s3://b/venue/0000_part_00.parquet", Meta: ManifestMeta{ContentLength: 32295, RecordCount: 10}},
					{URL: "s3://b/venue/0001_part_00.parquet", Meta: ManifestMeta{ContentLength: 96883, RecordCount: 45}},
				},
				Meta: ManifestMeta{ContentLength: 129178, RecordCount: 55},
			},
		},
		{
			name: "plain manifest has no counts",
			in:   `{"entries":[{"url":"s3://mybucket/tickit/venue_0000_part_00"},{"url":"s3://mybucket/tickit/venue_0001_part_00"}]}`,
			want: &Manifest{Entries: []ManifestEntry{
				{URL: "s3://mybucket/tickit/venue_0000_part_00"},
				{URL: "s3://mybucket/tickit/venue_0001_part_00"},
			}},
		},
		{
			name: "without top-level meta the totals are the sums",
			in: `{"entries":[{"url":"s3://b/a","meta":{"content_length":3,"record_count":1}},
			              {"url":"s3://b/c","meta":{"content_length":4,"record_count":2}}]}`,
			want: &Manifest{
				Entries: []ManifestEntry{
					{URL: "s3://b/a", Meta: ManifestMeta{ContentLength: 3, RecordCount: 1}},
					{URL: "s3://b/c", Meta: ManifestMeta{ContentLength: 4, RecordCount: 2}},
				},
				Meta: ManifestMeta{ContentLength: 7, RecordCount: 3},
			},
		},
		{
			name: "zero rows",
			in:   `{"entries":[],"meta":{"content_length":0,"record_count":0}}`,
			want: &Manifest{Entries: []ManifestEntry{}},
		},
		{
			// The top-level content_length is what Redshift reports; only
			// the record count is cross-checked.
			name: "content length is not cross-checked",
			in:   `{"entries":[{"url":"s3://b/a","meta":{"content_length":3,"record_count":1}}],"meta":{"content_length":99,"record_count":1}}`,
			want: &Manifest{
				Entries: []ManifestEntry{{URL: "s3://b/a", Meta: ManifestMeta{ContentLength: 3, RecordCount: 1}}},
				Meta:    ManifestMeta{ContentLength: 99, RecordCount: 1},
			},
		},
		{
			name: "unknown keys and null metas are ignored",
			in:   `{"entries":[{"url":"s3://b/a","meta":null,"mandatory":true}],"meta":null,"extra":[1,{}]}`,
			want: &Manifest{Entries: []ManifestEntry{{URL: "s3://b/a"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseManifest([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseManifestErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", ``, "manifest is not valid JSON"},
		{"truncated", verboseManifest[:40], "manifest is not valid JSON"},
		{"two values", `{"entries":[]} {}`, "manifest is not valid JSON"},
		{"array", `[{"url":"s3://b/a"}]`, "manifest is not a JSON object"},
		{"null", `null`, "manifest is not a JSON object"},
		{"no entries", `{"meta":{"record_count":0}}`, `manifest has no "entries" list`},
		{"null entries", `{"entries":null}`, `manifest has no "entries" list`},
		{"entries key is case-sensitive", `{"Entries":[]}`, `manifest has no "entries" list`},
		{"entries not a list", `{"entries":{"url":"s3://b/a"}}`, `manifest "entries" is not a list`},
		{"entry not an object", `{"entries":["s3://b/a"]}`, "manifest entry 0: not an object"},
		{"null entry", `{"entries":[{"url":"s3://b/a"},null]}`, "manifest entry 1: not an object"},
		{"entry without url", `{"entries":[{"meta":{"record_count":1}}]}`, "manifest entry 0: no url"},
		{"url not a string", `{"entries":[{"url":7}]}`, "manifest entry 0: url must be a string"},
		{"count not an integer", `{"entries":[{"url":"s3://b/a","meta":{"record_count":1.5}}]}`,
			"manifest entry 0: meta.record_count must be an integer"},
		{"count as a string", `{"entries":[{"url":"s3://b/a","meta":{"record_count":"10"}}]}`,
			"manifest entry 0: meta.record_count must be an integer"},
		{"count too large", `{"entries":[{"url":"s3://b/a","meta":{"record_count":9223372036854775808}}]}`,
			"manifest entry 0: meta.record_count must be an integer"},
		{"entry meta not an object", `{"entries":[{"url":"s3://b/a","meta":[]}]}`,
			"manifest entry 0: meta must be an object"},
		{"negative entry count", `{"entries":[{"url":"s3://b/a","meta":{"content_length":1,"record_count":-1}}]}`,
			"manifest entry 0: s3://b/a: negative record_count -1"},
		{"negative entry length", `{"entries":[{"url":"s3://b/a","meta":{"content_length":-5,"record_count":1}}]}`,
			"manifest entry 0: s3://b/a: negative content_length -5"},
		{"negative total count", `{"entries":[],"meta":{"content_length":0,"record_count":-1}}`,
			"manifest meta: negative record_count -1"},
		{"negative total length", `{"entries":[],"meta":{"content_length":-1,"record_count":0}}`,
			"manifest meta: negative content_length -1"},
		{"meta not an object", `{"entries":[],"meta":55}`, "manifest meta: not an object"},
		{"total count wrong type", `{"entries":[],"meta":{"record_count":true}}`,
			"manifest meta: record_count must be an integer"},
		{"counts do not add up", `{"entries":[{"url":"s3://b/a","meta":{"record_count":10}},{"url":"s3://b/c","meta":{"record_count":45}}],"meta":{"record_count":56}}`,
			"manifest meta says 56 records, but its entries add up to 55"},
		{"plain entries with a verbose total", `{"entries":[{"url":"s3://b/a"}],"meta":{"record_count":3}}`,
			"manifest meta says 3 records, but its entries add up to 0"},
		{"overflowing sum", `{"entries":[{"url":"s3://b/a","meta":{"record_count":9223372036854775807}},{"url":"s3://b/c","meta":{"record_count":1}}]}`,
			"manifest entry 1 (s3://b/c): record or byte total overflows"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ParseManifest([]byte(tt.in))
			if err == nil {
				t.Fatalf("accepted: %+v", m)
			}
			if err.Error() != tt.want {
				t.Errorf("error\n got: %s\nwant: %s", err, tt.want)
			}
			if m != nil {
				t.Errorf("returned a manifest with the error: %+v", m)
			}
		})
	}
}

// TestParseManifestReadsWhatItWrites checks that the Manifest type's own
// JSON, which ferry stores next to the data, parses back unchanged.
func TestParseManifestReadsWhatItWrites(t *testing.T) {
	want, err := ParseManifest([]byte(verboseManifest))
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseManifest(data)
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
