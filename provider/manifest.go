package provider

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
)

// entryJSON and metaJSON are the parts of a manifest ferry reads. The
// schema element is skipped: its key names are not reliably documented,
// and author says nothing a migration needs.
type entryJSON struct {
	URL  string    `json:"url"`
	Meta *metaJSON `json:"meta"`
}

type metaJSON struct {
	ContentLength int64 `json:"content_length"`
	RecordCount   int64 `json:"record_count"`
}

// ParseManifest reads a Redshift UNLOAD manifest, plain (MANIFEST) or
// verbose (MANIFEST VERBOSE). Keys other than entries[].url,
// entries[].meta and meta are ignored.
//
// A plain manifest carries no counts: its entries' metas are zero. When the
// manifest has no top-level meta, the returned Meta is the sum of the
// entries' metas, so callers can always read the totals from Meta.
//
// It refuses, with an error saying which rule was broken, data that is not
// JSON, a manifest without an "entries" list, an entry that is not an
// object or has no url, a field of the wrong JSON type, a negative
// content_length or record_count, and a top-level meta whose record_count
// is not the sum of the entries' record counts: a manifest that disagrees
// with itself cannot pin how many rows an unload wrote.
func ParseManifest(data []byte) (*Manifest, error) {
	if !json.Valid(data) {
		return nil, errors.New("manifest is not valid JSON")
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(data, &keys); err != nil || keys == nil {
		return nil, errors.New("manifest is not a JSON object")
	}
	rawEntries, ok := keys["entries"]
	if !ok || isNull(rawEntries) {
		return nil, errors.New(`manifest has no "entries" list`)
	}
	var items []json.RawMessage
	if err := json.Unmarshal(rawEntries, &items); err != nil {
		return nil, errors.New(`manifest "entries" is not a list`)
	}

	m := &Manifest{Entries: make([]ManifestEntry, 0, len(items))}
	var sum ManifestMeta
	for i, item := range items {
		e, err := decodeEntry(item)
		if err != nil {
			return nil, fmt.Errorf("manifest entry %d: %w", i, err)
		}
		if sum, ok = addMeta(sum, e.Meta); !ok {
			return nil, fmt.Errorf("manifest entry %d (%s): record or byte total overflows", i, e.URL)
		}
		m.Entries = append(m.Entries, e)
	}

	rawMeta, ok := keys["meta"]
	if !ok || isNull(rawMeta) {
		m.Meta = sum
		return m, nil
	}
	meta, err := decodeMeta(rawMeta)
	if err != nil {
		return nil, fmt.Errorf("manifest meta: %w", err)
	}
	if meta.RecordCount != sum.RecordCount {
		return nil, fmt.Errorf("manifest meta says %d records, but its entries add up to %d",
			meta.RecordCount, sum.RecordCount)
	}
	m.Meta = meta
	return m, nil
}

// decodeEntry decodes and checks one element of the entries list.
func decodeEntry(raw json.RawMessage) (ManifestEntry, error) {
	var e entryJSON
	if !isObject(raw) {
		return ManifestEntry{}, errors.New("not an object")
	}
	if err := json.Unmarshal(raw, &e); err != nil {
		return ManifestEntry{}, typeError(err)
	}
	if e.URL == "" {
		return ManifestEntry{}, errors.New("no url")
	}
	var meta ManifestMeta
	if e.Meta != nil {
		meta = ManifestMeta(*e.Meta)
	}
	if err := checkMeta(meta); err != nil {
		return ManifestEntry{}, fmt.Errorf("%s: %w", e.URL, err)
	}
	return ManifestEntry{URL: e.URL, Meta: meta}, nil
}

// decodeMeta decodes and checks the top-level meta object.
func decodeMeta(raw json.RawMessage) (ManifestMeta, error) {
	var mj metaJSON
	if !isObject(raw) {
		return ManifestMeta{}, errors.New("not an object")
	}
	if err := json.Unmarshal(raw, &mj); err != nil {
		return ManifestMeta{}, typeError(err)
	}
	meta := ManifestMeta(mj)
	return meta, checkMeta(meta)
}

// checkMeta refuses negative sizes and counts.
func checkMeta(m ManifestMeta) error {
	switch {
	case m.RecordCount < 0:
		return fmt.Errorf("negative record_count %d", m.RecordCount)
	case m.ContentLength < 0:
		return fmt.Errorf("negative content_length %d", m.ContentLength)
	}
	return nil
}

// addMeta adds two non-negative metas; ok is false on overflow.
func addMeta(a, b ManifestMeta) (sum ManifestMeta, ok bool) {
	if a.RecordCount > math.MaxInt64-b.RecordCount || a.ContentLength > math.MaxInt64-b.ContentLength {
		return a, false
	}
	return ManifestMeta{ContentLength: a.ContentLength + b.ContentLength, RecordCount: a.RecordCount + b.RecordCount}, true
}

// typeError turns encoding/json's error for a field of the wrong type into
// one naming the field and what it should have been, independent of how
// the JSON package words it.
func typeError(err error) error {
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) {
		return err
	}
	want := "a string"
	if te.Type != nil && te.Type.Kind() != reflect.String {
		want = "an integer"
		if te.Type.Kind() == reflect.Struct || te.Type.Kind() == reflect.Pointer {
			want = "an object"
		}
	}
	field := te.Field
	if field == "" {
		field = "value"
	}
	return fmt.Errorf("%s must be %s", field, want)
}

func isNull(raw json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(raw), []byte("null")) }

func isObject(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) > 0 && raw[0] == '{'
}
