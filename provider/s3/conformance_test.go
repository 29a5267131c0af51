package s3

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ferry-dev/ferry/internal/testserver"
	"github.com/ferry-dev/ferry/provider"
	"github.com/ferry-dev/ferry/provider/providertest"
)

// TestBucketConformance runs the bucket role's conformance suite on a
// versitygw gateway. One gateway serves the whole suite; every bucket the
// suite asks for is a new prefix of one S3 bucket, next to an object
// outside any of them that no listing may show.
func TestBucketConformance(t *testing.T) {
	isolateAWSEnv(t)
	srv := testserver.Versitygw(t)
	srv.CreateBucket(t, testBucket)
	outside := bucketOn(t, srv, "")
	if _, err := outside.Put(t.Context(), "conformance-0/t1/stray", strings.NewReader("x"), 1); err != nil {
		t.Fatal(err)
	}
	n := 0
	providertest.RunBucket(t, func(t *testing.T) provider.Bucket {
		n++
		// "conformance-1" must not see "conformance-10/": the prefix is
		// a folder.
		return bucketOn(t, srv, fmt.Sprintf("conformance-%d", n))
	})
}
