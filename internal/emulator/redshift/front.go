package redshift

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
)

// Options configures a Front.
type Options struct {
	// Upstream is the DSN of the PostgreSQL server behind the front. The
	// database a client names at startup replaces the DSN's.
	Upstream string
	// Password is the password every client must give. Empty: no
	// password is asked for.
	Password string
	// Auth is the password exchange: "md5" (the default, as a Redshift
	// cluster asks) or "cleartext".
	Auth string
	// Store is where UNLOAD writes its files and manifest. Without one,
	// UNLOAD fails.
	Store ObjectStore
	// MB is the number of bytes a megabyte of MAXFILESIZE stands for:
	// 0 means 1 MiB. Tests make it small to split small results into
	// several files without breaking Redshift's 5 MB minimum.
	MB int64
	// Faults injects failures.
	Faults Faults
	// Users are logins besides the default one (any other user name with
	// Password): each has its own password and may run its upstream
	// session as another PostgreSQL role, so that privileges can differ.
	Users map[string]Login
}

// Login is one user the front accepts.
type Login struct {
	Password string
	// Role is the PostgreSQL role the upstream session runs as; empty
	// means the Upstream DSN's user.
	Role string
}

// Front is a running Redshift front.
type Front struct {
	// Host and Port are where clients connect (loopback).
	Host string
	Port int

	opts   Options
	ln     net.Listener
	faults *faultState
	wg     sync.WaitGroup
	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
	users  map[string]Login
}

// New installs the catalog views in the upstream database and starts
// listening on a free loopback port.
func New(opts Options) (*Front, error) {
	if opts.Auth == "" {
		opts.Auth = "md5"
	}
	if opts.Auth != "md5" && opts.Auth != "cleartext" {
		return nil, fmt.Errorf("redshift front: unknown Auth %q (md5 or cleartext)", opts.Auth)
	}
	if opts.MB <= 0 {
		opts.MB = 1 << 20
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := installCatalog(ctx, opts.Upstream); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().(*net.TCPAddr)
	f := &Front{Host: "127.0.0.1", Port: addr.Port, opts: opts, ln: ln, faults: newFaultState(opts.Faults), conns: map[net.Conn]struct{}{}, users: map[string]Login{}}
	for name, l := range opts.Users {
		f.users[name] = l
	}
	f.wg.Add(1)
	go f.accept()
	return f, nil
}

// Start starts a Front for the test and closes it when the test ends.
func Start(t testing.TB, opts Options) *Front {
	t.Helper()
	f, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// Addr is the front's "host:port".
func (f *Front) Addr() string { return fmt.Sprintf("%s:%d", f.Host, f.Port) }

// Close stops listening, drops every client session and waits for them.
func (f *Front) Close() error {
	f.mu.Lock()
	f.closed = true
	for c := range f.conns {
		c.Close()
	}
	f.mu.Unlock()
	err := f.ln.Close()
	f.wg.Wait()
	return err
}

func (f *Front) accept() {
	defer f.wg.Done()
	for {
		c, err := f.ln.Accept()
		if err != nil {
			return
		}
		f.mu.Lock()
		if f.closed {
			f.mu.Unlock()
			c.Close()
			return
		}
		f.conns[c] = struct{}{}
		f.wg.Add(1)
		f.mu.Unlock()
		go func() {
			defer f.wg.Done()
			defer func() {
				f.mu.Lock()
				delete(f.conns, c)
				f.mu.Unlock()
				c.Close()
			}()
			f.serve(c)
		}()
	}
}

// serve runs one client session: startup, authentication, the upstream
// session, then the message loop.
func (f *Front) serve(c net.Conn) {
	be := pgproto3.NewBackend(c, c)
	params, ok := startup(c, be)
	if !ok {
		return
	}
	login := f.login(params["user"])
	if err := f.authenticate(be, params["user"], login.Password); err != nil {
		fatal(be, "28P01", err.Error())
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	cfg, err := pgconn.ParseConfig(f.opts.Upstream)
	if err == nil {
		if db := params["database"]; db != "" {
			cfg.Database = db
		}
		if login.Role != "" {
			cfg.User = login.Role
		}
		var pc *pgconn.PgConn
		if pc, err = pgconn.ConnectConfig(ctx, cfg); err == nil {
			var hc *pgconn.HijackedConn
			if hc, err = pc.Hijack(); err == nil {
				cancel()
				f.session(c, be, hc)
				return
			}
			pc.Close(ctx)
		}
	}
	cancel()
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		fatal(be, pgErr.Code, pgErr.Message)
		return
	}
	fatal(be, "08006", "cannot reach the upstream database")
}

// session reports the session parameters to the client and relays.
func (f *Front) session(c net.Conn, be *pgproto3.Backend, hc *pgconn.HijackedConn) {
	defer hc.Conn.Close()
	be.Send(&pgproto3.AuthenticationOk{})
	for k, v := range hc.ParameterStatuses {
		if k == "server_version" {
			v = "8.0.2"
		}
		be.Send(&pgproto3.ParameterStatus{Name: k, Value: v})
	}
	be.Send(&pgproto3.BackendKeyData{ProcessID: hc.PID, SecretKey: hc.SecretKey})
	be.Send(&pgproto3.ReadyForQuery{TxStatus: hc.TxStatus})
	if be.Flush() != nil {
		return
	}
	s := &session{front: f, client: c, be: be, up: hc.Conn, fe: hc.Frontend,
		txStatus: hc.TxStatus, unloads: map[string]string{}, portals: map[string]string{}}
	s.loop()
}

// startup reads the startup packet, refusing TLS and GSS encryption the
// way a server without them does. It returns the startup parameters.
func startup(c net.Conn, be *pgproto3.Backend) (map[string]string, bool) {
	for {
		msg, err := be.ReceiveStartupMessage()
		if err != nil {
			return nil, false
		}
		switch m := msg.(type) {
		case *pgproto3.SSLRequest, *pgproto3.GSSEncRequest:
			if _, err := c.Write([]byte{'N'}); err != nil {
				return nil, false
			}
		case *pgproto3.StartupMessage:
			return m.Parameters, true
		default: // CancelRequest and anything else: not served
			return nil, false
		}
	}
}

// SetLogin adds or replaces the login of user, as an IAM credential
// rotation or a CREATE USER would; sessions already open are kept.
func (f *Front) SetLogin(user string, l Login) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.users[user] = l
}

// login returns the login of user: its own, or the default one.
func (f *Front) login(user string) Login {
	f.mu.Lock()
	defer f.mu.Unlock()
	if l, ok := f.users[user]; ok {
		return l
	}
	return Login{Password: f.opts.Password}
}

// authenticate asks for the password when one is set.
func (f *Front) authenticate(be *pgproto3.Backend, user, password string) error {
	if password == "" {
		return nil
	}
	var salt [4]byte
	if f.opts.Auth == "md5" {
		if _, err := rand.Read(salt[:]); err != nil {
			return err
		}
		be.Send(&pgproto3.AuthenticationMD5Password{Salt: salt})
		_ = be.SetAuthType(pgproto3.AuthTypeMD5Password)
	} else {
		be.Send(&pgproto3.AuthenticationCleartextPassword{})
		_ = be.SetAuthType(pgproto3.AuthTypeCleartextPassword)
	}
	if err := be.Flush(); err != nil {
		return err
	}
	msg, err := be.Receive()
	if err != nil {
		return err
	}
	pw, ok := msg.(*pgproto3.PasswordMessage)
	want := password
	if f.opts.Auth == "md5" {
		want = md5Password(password, user, salt)
	}
	if !ok || pw.Password != want {
		return fmt.Errorf("password authentication failed for user %q", user)
	}
	return nil
}

// md5Password is the MD5 exchange's answer:
// "md5" + md5hex(md5hex(password + user) + salt).
func md5Password(password, user string, salt [4]byte) string {
	inner := md5.Sum([]byte(password + user))
	outer := md5.Sum(append([]byte(hex.EncodeToString(inner[:])), salt[:]...))
	return "md5" + hex.EncodeToString(outer[:])
}

// fatal sends a FATAL error; the caller then closes the connection.
func fatal(be *pgproto3.Backend, code, msg string) {
	be.Send(&pgproto3.ErrorResponse{Severity: "FATAL", SeverityUnlocalized: "FATAL", Code: code, Message: msg})
	_ = be.Flush()
}

// Faults makes the front fail some statements on purpose, to exercise
// retry paths. Each statement a client runs (a simple Query or an
// extended-protocol Execute) draws once: with probability ResetRate the
// client connection is dropped without a reply, else with probability
// ErrorRate the statement fails with SQLSTATE Code.
type Faults struct {
	ResetRate float64
	ErrorRate float64
	// Code is the SQLSTATE of injected errors (default "XX000").
	Code string
	// Only, when set, limits faults to statements whose first keyword it
	// names, such as "UNLOAD" or "SELECT".
	Only string
	// Seed makes the draws reproducible.
	Seed uint64
}

// fault is what a draw decided.
type fault int

const (
	faultNone fault = iota
	faultReset
	faultError
)

// faultState draws faults from one seeded source shared by all sessions.
type faultState struct {
	cfg Faults
	mu  sync.Mutex
	rnd *mrand.Rand
	// resets and errors count the faults injected so far.
	resets, errors atomic.Int64
}

func newFaultState(cfg Faults) *faultState {
	if cfg.Code == "" {
		cfg.Code = "XX000"
	}
	return &faultState{cfg: cfg, rnd: mrand.New(mrand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15))}
}

// draw decides the fate of one statement.
func (f *faultState) draw(sql string) fault {
	if f.cfg.ResetRate <= 0 && f.cfg.ErrorRate <= 0 {
		return faultNone
	}
	if f.cfg.Only != "" && !strings.EqualFold(firstWord(sql), f.cfg.Only) {
		return faultNone
	}
	f.mu.Lock()
	x := f.rnd.Float64()
	f.mu.Unlock()
	switch {
	case x < f.cfg.ResetRate:
		f.resets.Add(1)
		return faultReset
	case x < f.cfg.ResetRate+f.cfg.ErrorRate:
		f.errors.Add(1)
		return faultError
	}
	return faultNone
}

// errorResponse is the injected error.
func (f *faultState) errorResponse() *sqlError {
	return &sqlError{Code: f.cfg.Code, Message: "injected fault: the statement was not run"}
}

// InjectedFaults returns how many connection resets and errors the front
// has injected, so that a test can check its retry path was exercised.
func (f *Front) InjectedFaults() (resets, errors int64) {
	return f.faults.resets.Load(), f.faults.errors.Load()
}
