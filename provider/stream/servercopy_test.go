package stream

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferry-dev/ferry/provider"
	"github.com/ferry-dev/ferry/provider/local"
)

// Between two local buckets of one file system the copy is a hard link:
// the destination is the same file, with the source's CRC, and a second
// copy skips it.
func TestLocalToLocalCopiesByLink(t *testing.T) {
	root := t.TempDir()
	src, err := local.NewBucket(filepath.Join(root, "s3"), "")
	if err != nil {
		t.Fatal(err)
	}
	dst, err := local.NewBucket(filepath.Join(root, "oss"), "")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	body := bytes.Repeat([]byte("ferry "), 100_000)
	put, err := src.Put(ctx, "unload/t/data/0000_part_00.parquet", bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatal(err)
	}
	c := New(Options{})
	req := provider.CopyRequest{Src: src, SrcPrefix: "unload/t/", Dst: dst, DstPrefix: "landing/t/"}
	res, err := c.Copy(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if res.Copied != 1 || len(res.Objects) != 1 || res.Objects[0].Checksum != put.Checksum || res.Bytes != int64(len(body)) {
		t.Fatalf("result = %+v, want one object of %d bytes with checksum %s", res, len(body), put.Checksum)
	}
	a, err := os.Stat(src.Path("unload/t/data/0000_part_00.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.Stat(dst.Path("landing/t/data/0000_part_00.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	if !os.SameFile(a, b) {
		t.Fatal("the destination is a copy, want a hard link to the source file")
	}
	// No temporary name is left where a LOAD would read.
	objs, err := dst.List(ctx, "landing/")
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 1 || strings.Contains(objs[0].Key, "tmp") {
		t.Fatalf("destination lists %+v", objs)
	}
	res, err = c.Copy(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if res.Copied != 0 || res.Skipped != 1 {
		t.Fatalf("second copy = %+v, want the object skipped", res)
	}
}
