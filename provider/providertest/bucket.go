package providertest

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ferry-dev/ferry/provider"
)

// namedKeys are keys whose characters stores and URLs treat specially:
// spaces, '+' (a space in form encoding), '%' (an escape), unicode
// (several bytes in UTF-8, sorted by bytes, not by rune or locale).
var namedKeys = []string{
	"t1/data/0000_part_00.parquet",
	"t1/data/a b  c.parquet",
	"t1/data/x+y=z.parquet",
	"t1/data/100% done%2F%zz.parquet",
	"t1/data/ünïcødé/日本語 ☃.parquet",
	"t1/data/Zebra.parquet",
	"t1/manifest",
	"t10/data/0000_part_00.parquet",
	"t2/data/0000_part_00.parquet",
	"top",
}

// RunBucket runs the conformance suite for the bucket role
// (provider.Bucket, and provider.MultipartBucket when implemented).
// newBucket must return a new, empty bucket on every call; the suite
// calls it once per subtest and may write up to a few tens of MiB.
func RunBucket(t *testing.T, newBucket func(t *testing.T) provider.Bucket) {
	t.Run("PutList", func(t *testing.T) { testPutList(t, newBucket(t)) })
	t.Run("Open", func(t *testing.T) { testOpen(t, newBucket(t)) })
	t.Run("OpenPastEnd", func(t *testing.T) { testOpenPastEnd(t, newBucket(t)) })
	t.Run("Missing", func(t *testing.T) { testMissing(t, newBucket(t)) })
	t.Run("Overwrite", func(t *testing.T) { testOverwrite(t, newBucket(t)) })
	t.Run("Delete", func(t *testing.T) { testDelete(t, newBucket(t)) })
	t.Run("URL", func(t *testing.T) { testURL(t, newBucket(t)) })
	t.Run("Checksum", func(t *testing.T) { testChecksum(t, newBucket(t)) })
	t.Run("Multipart", func(t *testing.T) { runMultipart(t, newBucket) })
}

// seedNamed puts every named key, half of them streamed, and returns the
// contents by key.
func seedNamed(t *testing.T, b provider.Bucket) map[string][]byte {
	t.Helper()
	ctx := testContext(t)
	want := map[string][]byte{}
	for i, key := range namedKeys {
		data := randomBytes(uint64(i), 17*i+1)
		put(t, ctx, b, key, data, i%2 == 1)
		want[key] = data
	}
	return want
}

func testPutList(t *testing.T, b provider.Bucket) {
	ctx := testContext(t)
	if objs := list(t, ctx, b, ""); len(objs) != 0 {
		t.Fatalf("a new bucket lists %v, want nothing", keysOf(objs))
	}
	want := seedNamed(t, b)

	tests := []struct {
		prefix string
		want   []string
	}{
		{"", namedKeys},
		{"t1/", namedKeys[:7]},
		{"t1/data/", namedKeys[:6]},
		// A prefix is a string prefix, not a folder: "t1" takes in t10/.
		{"t1", namedKeys[:8]},
		{"t1/data/ü", namedKeys[4:5]},
		{"t1/data/x+", namedKeys[2:3]},
		{"t1/data/100%", namedKeys[3:4]},
		{"t1/data/a b", namedKeys[1:2]},
		{"t2/", namedKeys[8:9]},
		{"t3/", nil},
		{"to", namedKeys[9:]},
	}
	for _, tt := range tests {
		objs := list(t, ctx, b, tt.prefix)
		// namedKeys is sorted by byte except for "Zebra", which sorts
		// before lower case.
		wantKeys := sortedBytes(tt.want)
		if diff := cmp.Diff(wantKeys, keysOf(objs)); diff != "" {
			t.Errorf("List(%q) keys (-want +got):\n%s", tt.prefix, diff)
		}
		for _, o := range objs {
			if o.Size != int64(len(want[o.Key])) {
				t.Errorf("List(%q): %q has size %d, want %d", tt.prefix, o.Key, o.Size, len(want[o.Key]))
			}
			checkChecksum(t, "List "+o.Key, o.Checksum, want[o.Key])
		}
	}
	for key, data := range want {
		expectContent(t, ctx, b, key, data)
	}
}

// sortedBytes returns keys sorted by their bytes, the order List promises.
func sortedBytes(keys []string) []string {
	out := append([]string{}, keys...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j] < out[j-1]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func testOpen(t *testing.T, b provider.Bucket) {
	ctx := testContext(t)
	data := randomBytes(42, 1000)
	put(t, ctx, b, "r/data", data, false)
	put(t, ctx, b, "r/empty", nil, false)
	put(t, ctx, b, "r/one", []byte{'x'}, true)

	tests := []struct {
		key            string
		offset, length int64
		want           []byte
	}{
		{"r/data", 0, -1, data},
		{"r/data", 0, 1000, data},
		{"r/data", 0, 1, data[:1]},
		{"r/data", 10, 100, data[10:110]},
		{"r/data", 999, 1, data[999:]},
		{"r/data", 500, -1, data[500:]},
		{"r/data", 990, 100, data[990:]}, // runs past the end: cut short
		{"r/data", 0, 5000, data},
		{"r/data", 123, 0, nil},
		{"r/empty", 0, -1, nil},
		{"r/empty", 0, 0, nil},
		{"r/one", 0, -1, []byte{'x'}},
		{"r/one", 0, 1, []byte{'x'}},
		{"r/one", 0, 7, []byte{'x'}},
		{"r/one", 0, 0, nil},
	}
	for _, tt := range tests {
		got := read(t, ctx, b, tt.key, tt.offset, tt.length)
		if !bytes.Equal(got, tt.want) {
			t.Errorf("Open(%q, %d, %d) read %d bytes %.16x…, want %d bytes %.16x…",
				tt.key, tt.offset, tt.length, len(got), got, len(tt.want), tt.want)
		}
	}

}

// testOpenPastEnd checks that a range starting at or past the end of an
// object reads nothing, as it does for a file, rather than failing: the
// key exists, and the caller asked for the bytes that are there.
func testOpenPastEnd(t *testing.T, b provider.Bucket) {
	ctx := testContext(t)
	put(t, ctx, b, "r/data", randomBytes(42, 1000), false)
	put(t, ctx, b, "r/empty", nil, false)
	put(t, ctx, b, "r/one", []byte{'x'}, true)
	pastEnd := []struct {
		key            string
		offset, length int64
	}{
		{"r/data", 1000, -1},
		{"r/data", 1000, 10},
		{"r/data", 5000, 1},
		{"r/one", 1, -1},
		{"r/one", 2, 1},
		{"r/empty", 1, 1},
	}
	for _, tt := range pastEnd {
		rc, err := b.Open(ctx, tt.key, tt.offset, tt.length)
		if err != nil {
			t.Errorf("Open(%q, %d, %d) past the end: %v, want an empty read", tt.key, tt.offset, tt.length, err)
			continue
		}
		got, err := io.ReadAll(rc)
		rc.Close()
		if err != nil || len(got) != 0 {
			t.Errorf("Open(%q, %d, %d) past the end read %d bytes, %v; want none", tt.key, tt.offset, tt.length, len(got), err)
		}
	}
}

func testMissing(t *testing.T, b provider.Bucket) {
	ctx := testContext(t)
	put(t, ctx, b, "m/present", []byte("here"), false)
	for _, key := range []string{"m/absent", "m/present/below", "m/pres", "nowhere/at all+%ü", "m/"} {
		expectMissing(t, ctx, b, key)
	}
	if objs := list(t, ctx, b, "m/absent"); len(objs) != 0 {
		t.Errorf("List of a missing prefix = %v, want nothing", keysOf(objs))
	}
}

func testOverwrite(t *testing.T, b provider.Bucket) {
	ctx := testContext(t)
	const key = "o/data/0000_part_00.parquet"
	first := randomBytes(1, 1000)
	second := randomBytes(2, 10)
	put(t, ctx, b, key, first, false)
	put(t, ctx, b, key, second, true)
	expectContent(t, ctx, b, key, second)
	if diff := cmp.Diff([]string{key}, keysOf(list(t, ctx, b, ""))); diff != "" {
		t.Errorf("after an overwrite, List (-want +got):\n%s", diff)
	}
	if objs := list(t, ctx, b, key); len(objs) != 1 || objs[0].Size != int64(len(second)) {
		t.Errorf("after an overwrite, List(%q) = %+v, want one object of %d bytes", key, objs, len(second))
	}

	// A failed replacement leaves the previous object whole and visible,
	// and nothing else: no partial object, no temporary file.
	third := randomBytes(3, 4096)
	failures := []struct {
		name string
		body io.Reader
		size int64
	}{
		{"body breaks midway", &brokenReader{data: third, n: 2048}, int64(len(third))},
		{"body shorter than size", streamOnly{bytes.NewReader(third[:100])}, int64(len(third))},
	}
	for _, f := range failures {
		if obj, err := b.Put(ctx, key, f.body, f.size); err == nil {
			t.Errorf("%s: Put succeeded with %+v", f.name, obj)
		}
		expectContent(t, ctx, b, key, second)
		if objs := list(t, ctx, b, ""); len(objs) != 1 || objs[0].Key != key || objs[0].Size != int64(len(second)) {
			t.Errorf("%s: List after the failed Put = %+v, want only %q of %d bytes", f.name, objs, key, len(second))
		}
	}

	// Overwriting with an empty object is a replacement too.
	put(t, ctx, b, key, nil, false)
	expectContent(t, ctx, b, key, nil)
}

func testDelete(t *testing.T, b provider.Bucket) {
	ctx := testContext(t)
	want := seedNamed(t, b)
	gone := []string{namedKeys[1], namedKeys[4], namedKeys[9]}
	if err := b.Delete(ctx, append(gone, "never/existed", namedKeys[1])); err != nil {
		t.Fatalf("Delete with missing and repeated keys: %v", err)
	}
	for _, key := range gone {
		expectMissing(t, ctx, b, key)
		delete(want, key)
	}
	var rest []string
	for key, data := range want {
		rest = append(rest, key)
		expectContent(t, ctx, b, key, data)
	}
	if diff := cmp.Diff(sortedBytes(rest), keysOf(list(t, ctx, b, ""))); diff != "" {
		t.Errorf("List after Delete (-want +got):\n%s", diff)
	}
	if err := b.Delete(ctx, gone); err != nil {
		t.Errorf("deleting keys again: %v", err)
	}
	if err := b.Delete(ctx, nil); err != nil {
		t.Errorf("Delete(nil): %v", err)
	}
	// A key that is only a prefix of others names no object: deleting it
	// leaves them.
	if err := b.Delete(ctx, []string{"t1/data/0000"}); err != nil {
		t.Errorf("Delete of a key prefix: %v", err)
	}
	expectContent(t, ctx, b, namedKeys[0], want[namedKeys[0]])

	// Many keys at once, more than one request's worth on some stores.
	var many []string
	for i := range 1005 {
		many = append(many, fmt.Sprintf("many/%04d", i))
	}
	put(t, ctx, b, many[0], []byte("a"), false)
	put(t, ctx, b, many[1004], []byte("b"), false)
	if err := b.Delete(ctx, many); err != nil {
		t.Fatalf("Delete of %d keys: %v", len(many), err)
	}
	if objs := list(t, ctx, b, "many/"); len(objs) != 0 {
		t.Errorf("after deleting them, List(many/) = %v", keysOf(objs))
	}
}

func testURL(t *testing.T, b provider.Bucket) {
	seen := map[string]string{}
	var scheme string
	for _, key := range namedKeys {
		u := b.URL(key)
		s, _, ok := strings.Cut(u, "://")
		if !ok || s == "" {
			t.Errorf("URL(%q) = %q has no scheme", key, u)
			continue
		}
		if scheme == "" {
			scheme = s
		} else if s != scheme {
			t.Errorf("URL(%q) = %q: scheme %q, other keys use %q", key, u, s, scheme)
		}
		if !strings.HasSuffix(u, "/"+key) {
			t.Errorf("URL(%q) = %q does not end with the key", key, u)
		}
		if other, dup := seen[u]; dup {
			t.Errorf("URL(%q) = URL(%q) = %q", key, other, u)
		}
		seen[u] = key
	}
	folder := b.URL("t1/data/")
	if !strings.HasSuffix(folder, "/t1/data/") {
		t.Errorf("URL(%q) = %q, want a folder URL ending in /t1/data/", "t1/data/", folder)
	}
	if !strings.HasPrefix(b.URL(namedKeys[0]), folder) {
		t.Errorf("URL(%q) = %q is not inside its folder's URL %q", namedKeys[0], b.URL(namedKeys[0]), folder)
	}
}

func testChecksum(t *testing.T, b provider.Bucket) {
	ctx := testContext(t)
	reported := false
	for i, data := range [][]byte{nil, {0}, randomBytes(9, 100000)} {
		key := fmt.Sprintf("c/%d", i)
		obj := put(t, ctx, b, key, data, i == 2)
		objs := list(t, ctx, b, key)
		if len(objs) != 1 {
			t.Fatalf("List(%q) = %v, want one object", key, keysOf(objs))
		}
		reported = reported || obj.Checksum != "" || objs[0].Checksum != ""
	}
	if !reported {
		t.Skip("the bucket reports no checksums")
	}
}
