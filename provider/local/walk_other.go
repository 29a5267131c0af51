//go:build !linux

package local

import "context"

// walk calls add with the key and size of every file under root whose key
// starts with prefix, in no particular order. A missing root, or a folder
// or file deleted during the walk, is not an error.
func walk(ctx context.Context, root, prefix string, add func(key string, size int64)) error {
	return walkPortable(ctx, root, prefix, add)
}
