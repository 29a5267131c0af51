// Package pg starts a real PostgreSQL server for tests: a fresh cluster
// made by initdb in a temporary directory, listening on a free loopback
// port with trust authentication, stopped when the test ends.
//
// PostgreSQL refuses to run as root. When the test process runs as root
// (CI containers do), initdb and postgres are started as the "postgres"
// OS user, which the Debian package creates, through
// SysProcAttr.Credential; the temporary directory is handed to that user.
// As any other user they run as the current user.
//
// The binaries are looked up on PATH and then under
// /usr/lib/postgresql/<version>/bin, where the Debian package installs
// them (`apt-get install -y postgresql`). When none is found the test is
// skipped, unless CI=true, in which case it fails.
package pg
