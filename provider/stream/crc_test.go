package stream

import (
	"hash/crc64"
	"math/rand/v2"
	"testing"
)

// TestUpdateCRCMatchesTable checks the CRC the engine computes against
// hash/crc64 for every length around the folding loop's block sizes, at
// every alignment, from arbitrary running CRCs.
func TestUpdateCRCMatchesTable(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	data := randomBytes(rng, 1500)
	for n := 0; n <= 1200; n++ {
		for _, off := range []int{0, 1, 7, 8, 15} {
			p := data[off : off+n]
			crc := rng.Uint64()
			if got, want := updateCRC(crc, p), crc64.Update(crc, ecmaTable, p); got != want {
				t.Fatalf("len %d at offset %d from %x: got %x, want %x", n, off, crc, got, want)
			}
		}
	}
}

// TestUpdateCRCLargeAndChunked covers a part-sized buffer, whole and fed
// in uneven reads as a network body arrives.
func TestUpdateCRCLargeAndChunked(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	data := randomBytes(rng, 8<<20+333)
	want := crc64.Checksum(data, ecmaTable)
	if got := updateCRC(0, data); got != want {
		t.Fatalf("whole: got %x, want %x", got, want)
	}
	var crc uint64
	for rest := data; len(rest) > 0; {
		n := min(len(rest), 1+rng.IntN(70000))
		crc = updateCRC(crc, rest[:n])
		rest = rest[n:]
	}
	if crc != want {
		t.Fatalf("chunked: got %x, want %x", crc, want)
	}
	// Runs of zeros and ones are where a wrong fold constant is most
	// likely to cancel out unnoticed.
	for _, fill := range []byte{0x00, 0xff} {
		buf := make([]byte, 4096+48)
		for i := range buf {
			buf[i] = fill
		}
		for _, crc := range []uint64{0, ^uint64(0)} {
			if got, want := updateCRC(crc, buf), crc64.Update(crc, ecmaTable, buf); got != want {
				t.Errorf("fill %#x from %x: got %x, want %x", fill, crc, got, want)
			}
		}
	}
}

func FuzzUpdateCRC(f *testing.F) {
	f.Add(uint64(0), []byte("123456789"))
	f.Add(^uint64(0), make([]byte, 300))
	f.Fuzz(func(t *testing.T, crc uint64, p []byte) {
		if got, want := updateCRC(crc, p), crc64.Update(crc, ecmaTable, p); got != want {
			t.Fatalf("len %d from %x: got %x, want %x", len(p), crc, got, want)
		}
	})
}

func BenchmarkCRC(b *testing.B) {
	data := randomBytes(rand.New(rand.NewPCG(5, 6)), 64<<10)
	b.Run("engine", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			updateCRC(0, data)
		}
	})
	b.Run("hash/crc64", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			crc64.Update(0, ecmaTable, data)
		}
	})
}
