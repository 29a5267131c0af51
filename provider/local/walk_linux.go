package local

import (
	"bytes"
	"context"
	"encoding/binary"
	"io/fs"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// walk calls add with the key and size of every file under root whose key
// starts with prefix, in no particular order. A missing root, or a folder
// or file deleted during the walk, is not an error.
//
// A plan walks tens of thousands of folders, so this walk talks to the
// kernel directly: each folder is opened relative to its parent's
// descriptor and each file is stat'ed relative to its folder's (one path
// component to resolve instead of the whole path), and a folder costs
// four system calls (openat, getdents64 twice, close) where os.ReadDir
// also makes fcntl and epoll calls and allocates an *os.File. Measured on
// 30,000 folders and 20,000 files: 0.30 s of CPU with os.ReadDir.
func walk(ctx context.Context, root, prefix string, add func(key string, size int64)) error {
	fd, err := unix.Open(root, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err == unix.ENOENT {
		return nil
	}
	if err != nil {
		return &fs.PathError{Op: "open", Path: root, Err: err}
	}
	w := &walker{ctx: ctx, root: root, prefix: prefix, add: add, buf: make([]byte, 32<<10)}
	err = w.dir(fd, "")
	unix.Close(fd)
	return err
}

// walker is one walk's settings and its getdents64 buffer.
type walker struct {
	ctx    context.Context
	root   string
	prefix string
	add    func(key string, size int64)
	buf    []byte
}

// entry is one folder entry: its name and its d_type.
type entry struct {
	name string
	typ  byte
}

// dir walks the open folder fd, whose key is rel ("" for the root).
func (w *walker) dir(fd int, rel string) error {
	if err := w.ctx.Err(); err != nil {
		return err
	}
	entries, err := w.read(fd)
	if err != nil {
		return &fs.PathError{Op: "readdirent", Path: filepath.Join(w.root, rel), Err: err}
	}
	for _, e := range entries {
		key := e.name
		if rel != "" {
			key = rel + "/" + e.name
		}
		typ := e.typ
		var st unix.Stat_t
		stated := false
		if typ == unix.DT_UNKNOWN {
			// Some file systems leave the type out of the entry.
			found, err := w.lstat(fd, e.name, key, &st)
			if err != nil {
				return err
			}
			if !found {
				continue
			}
			stated = true
			if st.Mode&unix.S_IFMT == unix.S_IFDIR {
				typ = unix.DT_DIR
			}
		}
		if typ == unix.DT_DIR {
			if !wanted(key, w.prefix) {
				continue
			}
			// O_NOFOLLOW: a folder swapped for a symbolic link while
			// listing is not followed, as os.ReadDir's entry type would
			// not be either.
			child, err := unix.Openat(fd, e.name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC|unix.O_NOFOLLOW, 0)
			if err == unix.ENOENT {
				continue // deleted while listing
			}
			if err != nil {
				return &fs.PathError{Op: "open", Path: filepath.Join(w.root, key), Err: err}
			}
			err = w.dir(child, key)
			unix.Close(child)
			if err != nil {
				return err
			}
			continue
		}
		if !listed(e.name, key, w.prefix) {
			continue
		}
		if !stated {
			found, err := w.lstat(fd, e.name, key, &st)
			if err != nil {
				return err
			}
			if !found {
				continue
			}
		}
		w.add(key, st.Size)
	}
	return nil
}

// lstat stats the entry name of the open folder fd (whose key is key)
// without following a link; found is false when it was deleted while
// listing.
func (w *walker) lstat(fd int, name, key string, st *unix.Stat_t) (found bool, err error) {
	err = unix.Fstatat(fd, name, st, unix.AT_SYMLINK_NOFOLLOW)
	if err == unix.ENOENT {
		return false, nil
	}
	if err != nil {
		return false, &fs.PathError{Op: "lstat", Path: filepath.Join(w.root, key), Err: err}
	}
	return true, nil
}

// read returns every entry of the open folder fd but "." and "..".
func (w *walker) read(fd int) ([]entry, error) {
	var out []entry
	for {
		n, err := unix.Getdents(fd, w.buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, err
		}
		if n <= 0 {
			return out, nil
		}
		// struct linux_dirent64: d_ino u64, d_off s64, d_reclen u16,
		// d_type u8, then the NUL-terminated name.
		for b := w.buf[:n]; len(b) >= 19; {
			reclen := int(binary.NativeEndian.Uint16(b[16:18]))
			if reclen < 19 || reclen > len(b) {
				return nil, unix.EIO
			}
			name := b[19:reclen]
			if i := bytes.IndexByte(name, 0); i >= 0 {
				name = name[:i]
			}
			if s := string(name); s != "." && s != ".." {
				out = append(out, entry{name: s, typ: b[18]})
			}
			b = b[reclen:]
		}
	}
}
