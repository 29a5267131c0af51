package oss

import (
	"io"
	"os"
	"sync"
	"sync/atomic"
)

// partDamage is the state behind FlipByteInPart: which part number to
// damage, how many more times, and how often it happened.
type partDamage struct {
	mu     sync.Mutex
	number int
	// left is how many more uploads of the part are damaged (negative:
	// every one).
	left    int
	flipped atomic.Int64
}

// FlipByteInPart damages the next times uploads of part number (of any
// multipart upload): once such a part has been received and acknowledged,
// with the ETag and x-oss-hash-crc64ecma of the bytes that arrived, one
// byte of the stored copy is inverted, as a disk or a buggy storage node
// would. The part upload itself looks perfect to the client; only the
// CRC-64 the server computes over the joined object at
// CompleteMultipartUpload (and every later read) shows the damage, so a
// client that compares that CRC with the one of the bytes it sent catches
// it, and one that does not publishes a corrupt object.
//
// A negative times damages every upload of that part number until
// FlipByteInPart is called again; times 0 turns the damage off.
func (s *Server) FlipByteInPart(number, times int) {
	s.damage.mu.Lock()
	defer s.damage.mu.Unlock()
	s.damage.number, s.damage.left = number, times
}

// Flipped returns how many stored parts FlipByteInPart has damaged since
// the server started.
func (s *Server) Flipped() int64 { return s.damage.flipped.Load() }

// take reports whether this upload of part number is to be damaged, and
// counts it down.
func (d *partDamage) take(number int) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.left == 0 || d.number != number {
		return false
	}
	if d.left > 0 {
		d.left--
	}
	return true
}

// damageStoredPart inverts the middle byte of a just-stored part's file
// when FlipByteInPart asks for it. The part's recorded digests are left
// as they were, since they describe the bytes that arrived.
func (s *Server) damageStoredPart(number int, path string, size int64) {
	if size <= 0 || !s.damage.take(number) {
		return
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		panic("oss emulator: damage part: " + err.Error())
	}
	defer f.Close()
	var b [1]byte
	off := size / 2
	if _, err := f.ReadAt(b[:], off); err != nil && err != io.EOF {
		panic("oss emulator: damage part: " + err.Error())
	}
	b[0] ^= 0xff
	if _, err := f.WriteAt(b[:], off); err != nil {
		panic("oss emulator: damage part: " + err.Error())
	}
	s.damage.flipped.Add(1)
}

// requestCounts counts the requests the server received, by operation.
type requestCounts struct {
	mu   sync.Mutex
	byOp map[string]int64
}

// add counts one request of op ("" for unsupported requests).
func (c *requestCounts) add(op string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byOp == nil {
		c.byOp = map[string]int64{}
	}
	c.byOp[op]++
}

// Requests returns how many requests of the given operations (OpPutObject,
// OpUploadPart, …) the server has received since it started, whether they
// succeeded, failed or had a fault injected; with no operations, it
// counts every request. Tests use it to check how much work a client did,
// for example that a resumed copy sent only what was missing.
func (s *Server) Requests(ops ...string) int64 {
	s.requests.mu.Lock()
	defer s.requests.mu.Unlock()
	var n int64
	if len(ops) == 0 {
		for _, v := range s.requests.byOp {
			n += v
		}
		return n
	}
	for _, op := range ops {
		n += s.requests.byOp[op]
	}
	return n
}
