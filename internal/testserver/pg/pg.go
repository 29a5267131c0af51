package pg

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// InstallHint tells how to get the PostgreSQL binaries on Debian.
const InstallHint = "install PostgreSQL: apt-get install -y postgresql"

// Postgres is a running PostgreSQL server. The superuser User may connect
// to Database without a password, over TCP only.
type Postgres struct {
	Host     string
	Port     int
	User     string
	Database string
	// Dir is the cluster's data directory.
	Dir string

	cmd  *exec.Cmd
	done chan error
}

// DSN returns a keyword/value connection string for the server.
func (p *Postgres) DSN() string {
	return fmt.Sprintf("host=%s port=%d user=%s dbname=%s sslmode=disable", p.Host, p.Port, p.User, p.Database)
}

// Start runs a new PostgreSQL cluster for the test and stops it when the
// test ends. Without PostgreSQL binaries it skips the test (fails it when
// CI=true).
func Start(t testing.TB) *Postgres {
	t.Helper()
	bin, err := findBin()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%v; %s", err, InstallHint)
		}
		t.Skipf("%v; %s", err, InstallHint)
	}
	cred, err := runAs()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	if err := prepareDir(dir, data, cred); err != nil {
		t.Fatal(err)
	}
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres",
		"--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C")
	initdb.Dir = dir
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := initdb.CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	var p *Postgres
	for attempt := 0; ; attempt++ {
		p, err = launch(bin, dir, data, cred)
		if err == nil {
			break
		}
		if attempt == 2 {
			t.Fatal(err)
		}
	}
	t.Cleanup(p.stop)
	return p
}

// launch starts postgres on a free port and waits until it accepts
// connections.
func launch(bin, dir, data string, cred *syscall.Credential) (*Postgres, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	logPath := filepath.Join(dir, "postgres.log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	cmd := exec.Command(filepath.Join(bin, "postgres"), "-D", data,
		"-p", strconv.Itoa(port),
		"-c", "listen_addresses=127.0.0.1",
		"-c", "unix_socket_directories=",
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		"-c", "TimeZone=UTC", "-c", "max_connections=100")
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// Pdeathsig stops the server if the test binary dies without cleanup;
	// SIGQUIT makes the postmaster take its backends down with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGQUIT}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start postgres: %w", err)
	}
	p := &Postgres{Host: "127.0.0.1", Port: port, User: "postgres", Database: "postgres", Dir: data, cmd: cmd, done: make(chan error, 1)}
	go func() { p.done <- cmd.Wait() }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		conn, err := pgx.Connect(ctx, p.DSN())
		cancel()
		if err == nil {
			conn.Close(context.Background())
			return p, nil
		}
		select {
		case werr := <-p.done:
			log, _ := os.ReadFile(logPath)
			return nil, fmt.Errorf("postgres exited: %v\n%s", werr, log)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			p.stop()
			log, _ := os.ReadFile(logPath)
			return nil, fmt.Errorf("postgres did not accept connections within 30s: %v\n%s", err, log)
		}
	}
}

// stop asks for a fast shutdown and waits for it, killing the server if
// it takes too long.
func (p *Postgres) stop() {
	if p.cmd.Process == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
	p.cmd.Process = nil
}

// findBin returns the directory holding initdb and postgres.
func findBin() (string, error) {
	if path, err := exec.LookPath("initdb"); err == nil {
		dir := filepath.Dir(path)
		if _, err := os.Stat(filepath.Join(dir, "postgres")); err == nil {
			return dir, nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, dir := range dirs {
		if _, err := os.Stat(filepath.Join(dir, "initdb")); err == nil {
			return dir, nil
		}
	}
	return "", errors.New("PostgreSQL binaries (initdb, postgres) not found on PATH or in /usr/lib/postgresql/*/bin")
}

// version is the major version in a /usr/lib/postgresql/<v>/bin path.
func version(dir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return n
}

// runAs returns the credential to run PostgreSQL with: the postgres user
// when running as root, nil (the current user) otherwise.
func runAs() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root, PostgreSQL needs an unprivileged OS user named postgres (the Debian package creates it; or: useradd --system postgres): %w", err)
	}
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return nil, err
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return nil, err
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), NoSetGroups: true}, nil
}

// prepareDir makes dir reachable by the server's user and creates data
// owned by it. The test's temporary directories are private to root, so
// they are opened for traversal (not listing) up to the root.
func prepareDir(dir, data string, cred *syscall.Credential) error {
	if cred == nil {
		return os.Mkdir(data, 0o700)
	}
	for d := dir; d != "/" && d != "." && strings.HasPrefix(d, os.TempDir()) && d != os.TempDir(); d = filepath.Dir(d) {
		info, err := os.Stat(d)
		if err != nil {
			return err
		}
		if err := os.Chmod(d, info.Mode().Perm()|0o011); err != nil {
			return err
		}
	}
	if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
		return err
	}
	if err := os.Mkdir(data, 0o700); err != nil {
		return err
	}
	return os.Chown(data, int(cred.Uid), int(cred.Gid))
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
