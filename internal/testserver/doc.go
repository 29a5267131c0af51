// Package testserver starts real servers for tests that need a service
// ferry talks to over the network, so that providers are tested against
// the wire protocol rather than against mocks of ferry's own interfaces.
//
// Versitygw starts the Versity S3 Gateway, a real S3 implementation, on a
// loopback port with a posix backend in the test's temporary directory.
// The binary is not a Go dependency of ferry; it is installed next to the
// Go toolchain with
//
//	go install github.com/versity/versitygw/cmd/versitygw@v1.8.0
//
// and found on PATH, in $GOBIN or in $GOPATH/bin. When it is missing the
// test is skipped with that hint, except under CI (CI=true), where a
// missing server is a failure rather than a silent gap in coverage.
//
// The helpers take a testing.TB and stop what they start with t.Cleanup,
// so any package's tests can use them: the S3 provider's own tests, or an
// emulator that writes Redshift UNLOAD output into a bucket.
package testserver
