package maxcompute

import (
	"context"
	"fmt"
	"io"
)

// defaultMaxFileBytes is MaxCompute's limit on one open-source-format file
// read by LOAD: 3 GB.
const defaultMaxFileBytes = 3 << 30

// sizeLimited wraps a LocationReader so that reading a file larger than
// max fails the LOAD, as MaxCompute refuses files over its limit.
func sizeLimited(loc LocationReader, max int64) LocationReader {
	if loc == nil {
		return nil
	}
	if max <= 0 {
		max = defaultMaxFileBytes
	}
	return limitedLocations{LocationReader: loc, max: max}
}

type limitedLocations struct {
	LocationReader
	max int64
}

// Open returns a reader that fails once the file passes the limit.
func (l limitedLocations) Open(ctx context.Context, location, name string) (io.ReadCloser, error) {
	rc, err := l.LocationReader.Open(ctx, location, name)
	if err != nil {
		return nil, err
	}
	return &limitedFile{rc: rc, left: l.max, max: l.max, name: name}, nil
}

type limitedFile struct {
	rc        io.ReadCloser
	left, max int64
	name      string
}

func (f *limitedFile) Read(p []byte) (int, error) {
	n, err := f.rc.Read(p)
	f.left -= int64(n)
	if f.left < 0 {
		return n, fmt.Errorf("file %s is larger than %d bytes, the most LOAD reads from one open-source-format file; unload with a smaller MAXFILESIZE", f.name, f.max)
	}
	return n, err
}

func (f *limitedFile) Close() error { return f.rc.Close() }
