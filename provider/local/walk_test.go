package local

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// walked returns what walk found under root for prefix as sorted
// "key size" lines.
func walked(t *testing.T, w func(context.Context, string, string, func(string, int64)) error, root, prefix string) []string {
	t.Helper()
	var out []string
	if err := w(context.Background(), root, prefix, func(key string, size int64) {
		out = append(out, fmt.Sprintf("%s %d", key, size))
	}); err != nil {
		t.Fatalf("walk %q: %v", prefix, err)
	}
	sort.Strings(out)
	return out
}

// TestWalkMatchesThePortableWalk checks the walk List uses against the
// os-package walk on a tree with nested folders, a folder too large for
// one directory read, in-flight uploads, symbolic links and empty folders.
func TestWalkMatchesThePortableWalk(t *testing.T) {
	root := t.TempDir()
	write := func(rel string, size int) {
		t.Helper()
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, make([]byte, size), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("unload/m/main.a/g1/manifest", 10)
	write("unload/m/main.a/g1/data/0000_part_00.parquet", 100)
	write("unload/m/main.a/g2/data/0000_part_00.parquet"+tempMarker+"x", 7)
	write("unload/m/main.b/g1/data/part.parquet", 3)
	write("unload/mm/main.c/g1/manifest", 5)
	write("landing/m/x", 1)
	write(uploadsDir+"/u"+tempMarker+"1", 2)
	// More entries than one 32 KiB getdents64 buffer holds.
	long := strings.Repeat("n", 200)
	for i := range 400 {
		write(fmt.Sprintf("unload/m/big/%s%04d", long, i), i)
	}
	if err := os.MkdirAll(filepath.Join(root, "unload/m/empty/deeper"), 0o755); err != nil {
		t.Fatal(err)
	}
	// A link to a folder is listed as a file (the link itself), never
	// followed, like os.ReadDir's entry type says.
	if err := os.Symlink(filepath.Join(root, "landing"), filepath.Join(root, "unload/m/link")); err != nil {
		t.Fatal(err)
	}
	for _, prefix := range []string{"", "unload/", "unload/m/", "unload/m", "unload/m/main.a/", "unload/m/main.a/g1/manifest", "nothing/", "landing/m/"} {
		got := walked(t, walk, root, prefix)
		want := walked(t, walkPortable, root, prefix)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("prefix %q (-portable +walk):\n%s", prefix, diff)
		}
		if prefix == "unload/m/" && len(got) != 404 {
			t.Errorf("prefix %q: %d objects, want 404", prefix, len(got))
		}
	}
	for _, key := range walked(t, walk, root, "") {
		if strings.Contains(key, tempMarker) {
			t.Errorf("listed an upload in progress: %s", key)
		}
	}
}

func TestWalkMissingRootAndCancel(t *testing.T) {
	if got := walked(t, walk, filepath.Join(t.TempDir(), "absent"), ""); len(got) != 0 {
		t.Errorf("missing root listed %v", got)
	}
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "a", "b"), 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := walk(ctx, root, "", func(string, int64) {}); !errors.Is(err, context.Canceled) {
		t.Errorf("walk with a cancelled context: %v, want context.Canceled", err)
	}
}
