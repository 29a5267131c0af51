package local

import (
	"strings"
	"testing"

	"github.com/ferry-dev/ferry/provider"
	"github.com/ferry-dev/ferry/provider/providertest"
)

// TestBucketConformance runs the bucket role's conformance suite on a
// directory bucket. Each bucket sits under a prefix of a shared root, as
// migrations share one staging directory, so the suite also checks that
// a bucket never sees its siblings or the root's own files.
func TestBucketConformance(t *testing.T) {
	root := t.TempDir()
	sibling, err := NewBucket(root, "other")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	providertest.RunBucket(t, func(t *testing.T) provider.Bucket {
		n++
		b, err := NewBucket(root, "runs/"+t.Name())
		if err != nil {
			t.Fatal(err)
		}
		// A sibling's object with a key the suite also uses.
		if _, err := sibling.Put(t.Context(), "t1/data/0000_part_00.parquet", strings.NewReader(""), 0); err != nil {
			t.Fatal(err)
		}
		return b
	})
	if n == 0 {
		t.Error("the suite made no bucket")
	}
}
