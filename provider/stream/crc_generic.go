//go:build !amd64 || purego

package stream

import "hash/crc64"

// updateCRC returns the CRC-64/ECMA of the bytes hashed into crc followed
// by p, with hash/crc64's tables.
func updateCRC(crc uint64, p []byte) uint64 {
	return crc64.Update(crc, ecmaTable, p)
}
