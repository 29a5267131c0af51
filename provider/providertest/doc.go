// Package providertest holds the conformance suites every implementation
// of a provider role runs, so that the local directory bucket, S3 and OSS
// are held to one contract rather than each to its own tests.
//
// A suite is a function taking the test and a constructor:
//
//	func TestConformance(t *testing.T) {
//		providertest.RunBucket(t, func(t *testing.T) provider.Bucket {
//			return newEmptyBucket(t)
//		})
//	}
//
// The suite calls the constructor once per subtest and expects a new,
// empty bucket each time. Optional capabilities (provider.MultipartBucket,
// checksums) are discovered at run time; a subtest whose capability the
// bucket lacks is skipped, saying so.
//
// The suites assert the data a store returns, byte for byte, not merely
// that calls succeed.
package providertest
