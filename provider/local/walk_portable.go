package local

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// walkPortable is walk with the os package, for systems without the
// Linux walk (walk_linux.go). Folders are not sorted (List sorts the keys
// once) and keys are built from their folder's key rather than with
// filepath.Rel: a plan lists tens of thousands of folders.
func walkPortable(ctx context.Context, root, prefix string, add func(key string, size int64)) error {
	var visit func(dir, rel string) error
	visit = func(dir, rel string) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		f, err := os.Open(dir)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		entries, err := f.ReadDir(-1)
		f.Close()
		if err != nil {
			return err
		}
		for _, d := range entries {
			key := d.Name()
			if rel != "" {
				key = rel + "/" + key
			}
			if d.IsDir() {
				if wanted(key, prefix) {
					if err := visit(filepath.Join(dir, d.Name()), key); err != nil {
						return err
					}
				}
				continue
			}
			if !listed(d.Name(), key, prefix) {
				continue
			}
			info, err := d.Info()
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					continue // deleted while listing
				}
				return err
			}
			add(key, info.Size())
		}
		return nil
	}
	return visit(root, "")
}
