package stream

import (
	"fmt"
	"hash/crc64"
	"io"
	"strconv"
	"strings"
)

// ChecksumAlgorithm is the algorithm name ferry writes before a CRC-64
// value: the ECMA-182 polynomial in the form Go's hash/crc64 computes it
// (CRC-64/XZ), which is what OSS returns as x-oss-hash-crc64ecma.
const ChecksumAlgorithm = "crc64ecma"

// ecmaTable is the table for crc64.ECMA, built once.
var ecmaTable = crc64.MakeTable(crc64.ECMA)

// Checksum reads r to the end and returns its CRC-64/ECMA as
// "crc64ecma:<unsigned decimal>", the form provider.Object.Checksum uses
// and OSS reports. Errors are r's.
func Checksum(r io.Reader) (string, error) {
	var w crcWriter
	if _, err := io.Copy(&w, r); err != nil {
		return "", err
	}
	return formatCRC(w.crc), nil
}

// crcReader hashes what is read through it into a CRC-64/ECMA.
type crcReader struct {
	r   io.Reader
	crc uint64
}

// Read implements io.Reader.
func (c *crcReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.crc = updateCRC(c.crc, p[:n])
	return n, err
}

// crcWriter hashes what is written to it into a CRC-64/ECMA.
type crcWriter struct{ crc uint64 }

// Write implements io.Writer; it never fails.
func (w *crcWriter) Write(p []byte) (int, error) {
	w.crc = updateCRC(w.crc, p)
	return len(p), nil
}

// formatCRC renders a CRC-64/ECMA value as an Object checksum.
func formatCRC(crc uint64) string {
	return ChecksumAlgorithm + ":" + strconv.FormatUint(crc, 10)
}

// parseCRC returns the CRC-64/ECMA value of an Object checksum, and false
// when the checksum is empty, of another algorithm, or malformed.
func parseCRC(checksum string) (uint64, bool) {
	v, ok := strings.CutPrefix(checksum, ChecksumAlgorithm+":")
	if !ok {
		return 0, false
	}
	crc, err := strconv.ParseUint(v, 10, 64)
	return crc, err == nil
}

// sameAlgorithm reports whether two checksums are both known and name the
// same algorithm, so that comparing their values means something.
func sameAlgorithm(a, b string) bool {
	algA, _, okA := strings.Cut(a, ":")
	algB, _, okB := strings.Cut(b, ":")
	return okA && okB && algA != "" && algA == algB
}

// ChecksumMismatchError reports that the destination stored bytes whose
// checksum differs from the one computed while the bytes were sent. The
// Copier deletes such an object and copies it again; it returns this
// error (wrapped, naming the source key) only when every attempt
// mismatched.
type ChecksumMismatchError struct {
	// Key is the destination key.
	Key string
	// Sent is the checksum of the bytes read from the source.
	Sent string
	// Stored is the checksum the destination reported.
	Stored string
}

// Error implements error.
func (e *ChecksumMismatchError) Error() string {
	return fmt.Sprintf("%s: checksum mismatch: sent %s, destination stored %s", e.Key, e.Sent, e.Stored)
}

// verifyStored compares the CRC computed while sending with the
// destination's checksum, when the destination reports a CRC-64/ECMA. A
// destination without one (or with another algorithm) cannot be checked.
func verifyStored(key string, sent uint64, stored string) error {
	got, ok := parseCRC(stored)
	if !ok || got == sent {
		return nil
	}
	return &ChecksumMismatchError{Key: key, Sent: formatCRC(sent), Stored: stored}
}

// crcCombine returns the CRC-64/ECMA of A‖B given crc1 = CRC(A),
// crc2 = CRC(B) and len2 = len(B). It lets parts of one object be hashed
// in parallel and joined in order afterwards.
//
// Appending len2 zero bytes to A is a linear map over GF(2) on the CRC
// register; the map for one zero bit is a 64×64 matrix, squared
// repeatedly to reach len2 bytes in O(log len2) steps. The pre- and
// post-conditioning of the CRC cancel out in the final xor.
func crcCombine(crc1, crc2 uint64, len2 int64) uint64 {
	if len2 <= 0 {
		return crc1
	}
	var even, odd gf2Matrix
	// odd: the operator for one zero bit.
	odd[0] = crc64.ECMA
	row := uint64(1)
	for n := 1; n < 64; n++ {
		odd[n] = row
		row <<= 1
	}
	even.square(&odd) // two zero bits
	odd.square(&even) // four zero bits

	// Each pass squares the operator (one zero byte on the first pass,
	// then two, four, …) and applies it where len2 has a one bit.
	for {
		even.square(&odd)
		if len2&1 != 0 {
			crc1 = even.times(crc1)
		}
		if len2 >>= 1; len2 == 0 {
			break
		}
		odd.square(&even)
		if len2&1 != 0 {
			crc1 = odd.times(crc1)
		}
		if len2 >>= 1; len2 == 0 {
			break
		}
	}
	return crc1 ^ crc2
}

// gf2Matrix is a 64×64 bit matrix over GF(2); column i is element i.
type gf2Matrix [64]uint64

// times multiplies the matrix by a vector.
func (m *gf2Matrix) times(vec uint64) uint64 {
	var sum uint64
	for i := 0; vec != 0; i, vec = i+1, vec>>1 {
		if vec&1 != 0 {
			sum ^= m[i]
		}
	}
	return sum
}

// square sets m to a × a.
func (m *gf2Matrix) square(a *gf2Matrix) {
	for n := range a {
		m[n] = a.times(a[n])
	}
}

// hashingReader feeds what it reads into a CRC-64/ECMA and fails when the
// source yields a different number of bytes than it announced, so a
// truncated or overlong source never becomes a short or wrong object.
type hashingReader struct {
	r    io.Reader
	crc  uint64
	n    int64
	want int64
	key  string
}

// Read implements io.Reader.
func (h *hashingReader) Read(p []byte) (int, error) {
	if rest := h.want - h.n + 1; int64(len(p)) > rest {
		// Ask for one byte past the end so an overlong source shows.
		p = p[:rest]
	}
	n, err := h.r.Read(p)
	h.crc = updateCRC(h.crc, p[:n])
	h.n += int64(n)
	switch {
	case h.n > h.want:
		return n, fmt.Errorf("%s: source is longer than its listed %d bytes", h.key, h.want)
	case err == io.EOF && h.n < h.want:
		return n, fmt.Errorf("%s: source ended after %d of %d bytes: %w", h.key, h.n, h.want, io.ErrUnexpectedEOF)
	}
	return n, err
}
