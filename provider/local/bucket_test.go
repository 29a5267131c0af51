package local

import (
	"bytes"
	"context"
	"errors"
	"hash/crc64"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ferry-dev/ferry/provider"
)

func TestBucketPutListOpenDelete(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	b, err := NewBucket(root, "stage")
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(strings.Repeat("0123456789", 100))
	obj, err := b.Put(ctx, "t1/data/0000_part_00.parquet", bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatal(err)
	}
	wantSum := "crc64ecma:" + strconv.FormatUint(crc64.Checksum(body, crc64.MakeTable(crc64.ECMA)), 10)
	if obj.Checksum != wantSum || obj.Size != int64(len(body)) || obj.Key != "t1/data/0000_part_00.parquet" {
		t.Errorf("Put = %+v, want checksum %s", obj, wantSum)
	}
	if _, err := b.Put(ctx, "t1/manifest", strings.NewReader("{}"), 2); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Put(ctx, "t2/x", strings.NewReader("x"), 1); err != nil {
		t.Fatal(err)
	}
	// A short body fails and leaves nothing behind.
	if _, err := b.Put(ctx, "t1/short", strings.NewReader("abc"), 10); err == nil {
		t.Error("short body: want error")
	}
	// An abandoned temporary file is not an object.
	tmp := filepath.Join(b.Root(), "t1", ".x"+tempMarker+"123")
	if err := os.WriteFile(tmp, []byte("partial"), 0o644); err != nil {
		t.Fatal(err)
	}

	list, err := b.List(ctx, "t1/")
	if err != nil {
		t.Fatal(err)
	}
	got := []string{}
	for _, o := range list {
		got = append(got, o.Key+":"+strconv.FormatInt(o.Size, 10)+o.Checksum)
	}
	if want := "t1/data/0000_part_00.parquet:1000,t1/manifest:2"; strings.Join(got, ",") != want {
		t.Errorf("List = %s, want %s", strings.Join(got, ","), want)
	}
	if all, _ := b.List(ctx, ""); len(all) != 3 {
		t.Errorf("List(\"\") has %d objects, want 3", len(all))
	}

	for _, tc := range []struct {
		off, n int64
		want   string
	}{{0, -1, string(body)}, {5, 3, "567"}, {995, -1, "56789"}, {998, 10, "89"}} {
		r, err := b.Open(ctx, "t1/data/0000_part_00.parquet", tc.off, tc.n)
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(r)
		r.Close()
		if err != nil || string(data) != tc.want {
			t.Errorf("Open(%d,%d) = %q, %v; want %q", tc.off, tc.n, data, err, tc.want)
		}
	}
	if _, err := b.Open(ctx, "nope", 0, -1); !errors.Is(err, provider.ErrNotFound) {
		t.Errorf("Open missing: %v, want ErrNotFound", err)
	}

	if u := b.URL("t1/data/"); u != "file://"+filepath.ToSlash(filepath.Join(root, "stage", "t1", "data"))+"/" {
		t.Errorf("URL = %s", u)
	}

	if err := b.Delete(ctx, []string{"t1/data/0000_part_00.parquet", "missing/key"}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(b.Root(), "t1", "data")); !os.IsNotExist(err) {
		t.Errorf("empty folder t1/data left behind: %v", err)
	}
	if _, err := os.Stat(b.Root()); err != nil {
		t.Errorf("bucket root removed: %v", err)
	}
	if list, _ := b.List(ctx, "t1/"); len(list) != 1 || list[0].Key != "t1/manifest" {
		t.Errorf("after delete: %+v", list)
	}
}

func TestBucketPutReplaces(t *testing.T) {
	ctx := context.Background()
	b, err := NewBucket(t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"first version", "second"} {
		if _, err := b.Put(ctx, "k", strings.NewReader(s), int64(len(s))); err != nil {
			t.Fatal(err)
		}
	}
	r, err := b.Open(ctx, "k", 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if data, _ := io.ReadAll(r); string(data) != "second" {
		t.Errorf("got %q", data)
	}
	if b.Path("../../etc/passwd") != filepath.Join(b.Root(), "etc", "passwd") {
		t.Errorf("Path escapes the root: %s", b.Path("../../etc/passwd"))
	}
}
