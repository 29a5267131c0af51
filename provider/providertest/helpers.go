package providertest

import (
	"bytes"
	"context"
	"errors"
	"hash/crc64"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ferry-dev/ferry/provider"
)

// suiteTimeout bounds each subtest, so a store that hangs fails the test
// instead of the whole run.
const suiteTimeout = 2 * time.Minute

// checksumAlgorithm is the only checksum algorithm a bucket may report:
// CRC-64/ECMA (Go's crc64.ECMA), in unsigned decimal.
const checksumAlgorithm = "crc64ecma:"

// crcTable is the CRC-64/ECMA table.
var crcTable = crc64.MakeTable(crc64.ECMA)

// errBroken is the failure a brokenReader returns midway.
var errBroken = errors.New("providertest: body broken midway")

// testContext returns a context that ends with the subtest or after
// suiteTimeout.
func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), suiteTimeout)
	t.Cleanup(cancel)
	return ctx
}

// randomBytes returns n reproducible pseudo-random bytes.
func randomBytes(seed uint64, n int) []byte {
	rng := rand.New(rand.NewPCG(seed, seed^0x5eed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

// streamOnly hides every method but Read, so a store cannot seek back,
// measure or rewind the body and must stream it.
type streamOnly struct{ r io.Reader }

// Read implements io.Reader.
func (s streamOnly) Read(p []byte) (int, error) { return s.r.Read(p) }

// brokenReader yields the first n bytes of data, then fails with
// errBroken, as a source connection dropping mid-object would.
type brokenReader struct {
	data []byte
	n    int
}

// Read implements io.Reader.
func (b *brokenReader) Read(p []byte) (int, error) {
	if b.n <= 0 {
		return 0, errBroken
	}
	k := copy(p, b.data[:min(b.n, len(b.data))])
	b.data, b.n = b.data[k:], b.n-k
	return k, nil
}

// put stores data under key, streaming it when stream is set, and checks
// the object Put returns.
func put(t *testing.T, ctx context.Context, b provider.Bucket, key string, data []byte, stream bool) provider.Object {
	t.Helper()
	var r io.Reader = bytes.NewReader(data)
	if stream {
		r = streamOnly{r}
	}
	obj, err := b.Put(ctx, key, r, int64(len(data)))
	if err != nil {
		t.Fatalf("Put(%q, %d bytes): %v", key, len(data), err)
	}
	if obj.Key != key || obj.Size != int64(len(data)) {
		t.Errorf("Put(%q) returned key %q size %d, want %q size %d", key, obj.Key, obj.Size, key, len(data))
	}
	checkChecksum(t, "Put "+key, obj.Checksum, data)
	return obj
}

// checkChecksum fails when a reported checksum is not "crc64ecma:<decimal>"
// or not the CRC of data. An empty checksum means the store keeps none.
func checkChecksum(t *testing.T, what, checksum string, data []byte) {
	t.Helper()
	if checksum == "" {
		return
	}
	v, ok := strings.CutPrefix(checksum, checksumAlgorithm)
	got, err := strconv.ParseUint(v, 10, 64)
	if !ok || err != nil || v != strconv.FormatUint(got, 10) {
		t.Errorf("%s: checksum %q is not %s<unsigned decimal>", what, checksum, checksumAlgorithm)
		return
	}
	if want := crc64.Checksum(data, crcTable); got != want {
		t.Errorf("%s: checksum %q, want %s%d (CRC-64/ECMA of the %d bytes stored)", what, checksum, checksumAlgorithm, want, len(data))
	}
}

// read returns length bytes of key from offset, failing the test on error.
func read(t *testing.T, ctx context.Context, b provider.Bucket, key string, offset, length int64) []byte {
	t.Helper()
	rc, err := b.Open(ctx, key, offset, length)
	if err != nil {
		t.Fatalf("Open(%q, %d, %d): %v", key, offset, length, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %q [%d, %d): %v", key, offset, length, err)
	}
	return data
}

// expectContent fails when key does not hold exactly want.
func expectContent(t *testing.T, ctx context.Context, b provider.Bucket, key string, want []byte) {
	t.Helper()
	if got := read(t, ctx, b, key, 0, -1); !bytes.Equal(got, want) {
		t.Errorf("%q holds %d bytes that differ from the %d expected", key, len(got), len(want))
	}
}

// expectMissing fails unless opening key gives an error wrapping
// provider.ErrNotFound, whole or ranged.
func expectMissing(t *testing.T, ctx context.Context, b provider.Bucket, key string) {
	t.Helper()
	for _, r := range [][2]int64{{0, -1}, {0, 0}, {3, 10}} {
		rc, err := b.Open(ctx, key, r[0], r[1])
		if err == nil {
			rc.Close()
		}
		if !errors.Is(err, provider.ErrNotFound) {
			t.Errorf("Open(%q, %d, %d) = %v, want an error wrapping provider.ErrNotFound", key, r[0], r[1], err)
		}
	}
}

// list returns the objects under prefix, failing the test on error and
// checking that they come sorted by key.
func list(t *testing.T, ctx context.Context, b provider.Bucket, prefix string) []provider.Object {
	t.Helper()
	objs, err := b.List(ctx, prefix)
	if err != nil {
		t.Fatalf("List(%q): %v", prefix, err)
	}
	for i := 1; i < len(objs); i++ {
		if objs[i-1].Key >= objs[i].Key {
			t.Errorf("List(%q) is not sorted by key: %q before %q", prefix, objs[i-1].Key, objs[i].Key)
		}
	}
	return objs
}

// keysOf returns the keys of objs.
func keysOf(objs []provider.Object) []string {
	out := make([]string, 0, len(objs))
	for _, o := range objs {
		out = append(out, o.Key)
	}
	return out
}
