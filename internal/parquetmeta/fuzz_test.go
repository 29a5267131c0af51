package parquetmeta

import (
	"errors"
	"runtime"
	"strings"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// allocBound is the most Decode may allocate for an n-byte footer: the
// column slice (a leaf takes at least minLeafBytes footer bytes), the
// names (at most the footer), the stack of open groups (4 bytes for each
// group of at least 5 footer bytes, doubled by append), and a constant
// for the rest and for error messages.
func allocBound(n int) uint64 {
	perByte := int(unsafe.Sizeof(Column{}))/minLeafBytes + 1 + 2
	return uint64(n*perByte + 16<<10)
}

// checkDecode is what must hold of Decode for any input: no panic (the
// caller sees it), no allocation beyond allocBound, an error that is a
// *FormatError within the input and no Footer with it, and, for what it
// accepts, the same result as arrow-go's wherever arrow-go accepts it
// too. (arrow-go is run only on input Decode accepts: that input has no
// list or binary longer than itself, where arrow-go would allocate as
// much as a corrupt length says.)
func checkDecode(t *testing.T, data []byte) (*Footer, error) {
	t.Helper()
	// ReadMemStats, unlike runtime/metrics, counts every allocation
	// when it happens rather than when a span is refilled.
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	got, err := Decode(data)
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > allocBound(len(data)) {
		t.Fatalf("Decode of %d bytes allocated %d bytes, over the bound of %d", len(data), alloc, allocBound(len(data)))
	}
	if err != nil {
		if got != nil {
			t.Fatalf("Decode returned %+v with error %v", got, err)
		}
		var fe *FormatError
		if !errors.As(err, &fe) {
			t.Fatalf("error %v (%T) is not a *FormatError", err, err)
		}
		if fe.Offset < 0 || fe.Offset > len(data) {
			t.Fatalf("error %v at byte %d of a %d-byte footer", err, fe.Offset, len(data))
		}
		return nil, err
	}
	if got == nil {
		t.Fatal("Decode returned neither a footer nor an error")
	}
	if want, err := arrowDecode(data); err == nil {
		if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("Decode differs from arrow-go (-arrow +Decode):\n%s", diff)
		}
	}
	return got, nil
}

// seedFooters are real footers: DuckDB's, arrow-go's legacy one, and
// hand-made ones with every wire type in unknown fields.
func seedFooters(t testing.TB) [][]byte {
	var out [][]byte
	for _, f := range duckFooters(t) {
		out = append(out, f.footer)
	}
	full := footerOf(t, writeLegacy(t, legacySchema(t), 2, 2))
	out = append(out, full, withoutLogicalTypes(t, full))
	e := (&enc{}).begin()
	skipEverything(9)(e)
	e.i32(1, 1).list(2, wireStruct, 2)
	root(1).write(e)
	withTS := leaf("ts", TypeInt64)
	withTS.logical, withTS.extra = temporal(8, true, 2), skipEverything(11)
	withTS.write(e)
	e.i64(3, 7).list(4, wireStruct, 1)
	rowGroup(e)
	return append(out, e.end().b)
}

// FuzzDecode feeds Decode arbitrary footers; checkDecode says what must
// hold.
func FuzzDecode(f *testing.F) {
	for _, s := range seedFooters(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkDecode(t, data)
	})
}

// TestTruncatedFooters cuts every seed footer at every length (every
// 13th of the large ones, and the last 200): each cut ends before the
// FileMetaData's stop byte, so each must be an error.
func TestTruncatedFooters(t *testing.T) {
	for _, footer := range seedFooters(t) {
		for n := range len(footer) {
			if len(footer) > 4096 && n%13 != 0 && n < len(footer)-200 {
				continue
			}
			if _, err := checkDecode(t, footer[:n]); err == nil {
				t.Fatalf("the first %d of %d bytes decoded", n, len(footer))
			}
		}
	}
}

// TestCorruptedFooters changes every byte of the smaller seed footers in
// turn, to values that break varints, wire types, lengths and deltas;
// whatever Decode makes of them, checkDecode must hold.
func TestCorruptedFooters(t *testing.T) {
	decoded, failed := 0, 0
	for _, footer := range seedFooters(t) {
		if len(footer) > 2048 {
			continue // the large ones add time, not cases
		}
		data := make([]byte, len(footer))
		for i := range footer {
			for _, v := range []byte{0xff, footer[i] ^ 0x01, footer[i] + 0x10} {
				copy(data, footer)
				data[i] = v
				if _, err := checkDecode(t, data); err != nil {
					failed++
				} else {
					decoded++
				}
			}
		}
	}
	// Both outcomes must have happened, or the corruption tested nothing.
	if decoded == 0 || failed == 0 {
		t.Errorf("%d corrupted footers decoded, %d failed", decoded, failed)
	}
}

// TestLongNameInError is the case the fuzzer found: an error about an
// element with a long name of bytes %q escapes four times over must not
// quote it all (allocating past allocBound and burying the message).
func TestLongNameInError(t *testing.T) {
	name := strings.Repeat("\x00", 20000)
	_, err := checkDecode(t, footer(1, root(1), el{name: name}))
	if err == nil || len(err.Error()) > 4*maxQuotedName+100 || !strings.Contains(err.Error(), "leaf column has no physical type") {
		t.Errorf("error %.300q", err)
	}
}
