package oss_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ferry-dev/ferry/provider"
	"github.com/ferry-dev/ferry/provider/oss"
	"github.com/ferry-dev/ferry/provider/providertest"
)

// TestBucketConformance runs the bucket role's conformance suite on the
// OSS emulator, with V4 and V1 signatures. Every bucket the suite asks
// for is a new prefix of one OSS bucket, next to an object outside any of
// them that no listing may show.
func TestBucketConformance(t *testing.T) {
	for _, signing := range []string{"v4", "v1"} {
		t.Run(signing, func(t *testing.T) {
			srv := startOSS(t)
			outside := newBucket(t, srv, nil)
			if _, err := outside.Put(t.Context(), "conformance-0/t1/stray", strings.NewReader("x"), 1); err != nil {
				t.Fatal(err)
			}
			n := 0
			providertest.RunBucket(t, func(t *testing.T) provider.Bucket {
				n++
				return newBucket(t, srv, func(c *oss.Config) {
					c.Prefix = fmt.Sprintf("conformance-%d", n)
					if signing == "v1" {
						c.Region = ""
					}
				})
			})
		})
	}
}
