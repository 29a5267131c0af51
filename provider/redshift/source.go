package redshift

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/ferry-dev/ferry/provider"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

var (
	_ provider.Source  = (*Source)(nil)
	_ provider.Querier = (*Source)(nil)
)

// Config says how to reach a cluster and how UNLOAD authenticates to S3.
type Config struct {
	Host string
	// Port defaults to 5439.
	Port     int
	Database string
	User     string
	Password string
	// UnloadRole is the IAM role ARN (or "default") UNLOAD writes to S3
	// with. When empty, AccessKeyID and SecretAccessKey are used instead.
	UnloadRole      string
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	// SSLMode is a libpq sslmode; default "require".
	SSLMode string
	// S3 reads back, and moves, the manifest UNLOAD writes. Required for
	// Unload.
	S3 ObjectStore
	// MaxConns bounds the open connections (default 4).
	MaxConns int
	// DataAPI, when set, runs statements through the Redshift Data API
	// instead of the PostgreSQL protocol: open it with NewDataAPI (or
	// Open), not New.
	DataAPI *DataAPIConfig

	// IAM replaces User and Password with temporary credentials from AWS:
	// GetClusterCredentials for ClusterIdentifier (a provisioned cluster,
	// as DBUser) or GetCredentials for WorkgroupName (Serverless). They
	// are fetched with the AWS default credential chain, refreshed before
	// they expire, and never logged.
	IAM               bool
	ClusterIdentifier string
	WorkgroupName     string
	Region            string
	// DBUser is the database user GetClusterCredentials issues a password
	// for (default User).
	DBUser string
	// AWSEndpoint overrides the Redshift or Redshift Serverless endpoint
	// (a test double).
	AWSEndpoint string
	// IAMDuration is the lifetime asked for temporary credentials
	// (default 15 minutes, the service minimum).
	IAMDuration time.Duration

	// Unload adds options to every UNLOAD this source runs.
	Unload UnloadOptions
}

// DataAPIConfig names the cluster or workgroup for the Redshift Data API.
// Set ClusterIdentifier (with DBUser or SecretARN) for a provisioned
// cluster, or WorkgroupName for Redshift Serverless.
type DataAPIConfig struct {
	Region            string
	ClusterIdentifier string
	WorkgroupName     string
	// Database defaults to Config.Database.
	Database  string
	SecretARN string
	DBUser    string
	// Endpoint overrides the service endpoint (a test double).
	Endpoint string
	// MaxPoll caps the back-off between DescribeStatement polls
	// (default 2 s).
	MaxPoll time.Duration
}

// Source is a Redshift cluster ferry migrates from.
type Source struct {
	cfg     Config
	connCfg *pgx.ConnConfig
	idle    chan *pgx.Conn
	slots   chan struct{}
	mu      sync.Mutex
	closed  bool
	// iam issues temporary credentials when cfg.IAM is set.
	iam *iamCredentials
}

// New checks cfg and opens one connection, so that a wrong address or
// password fails here. Errors never contain the password.
func New(ctx context.Context, cfg Config) (*Source, error) {
	if cfg.DataAPI != nil {
		return nil, errors.New("redshift: the configuration selects the Data API; open it with NewDataAPI")
	}
	if cfg.IAM && cfg.DBUser == "" {
		cfg.DBUser = cfg.User
	}
	if cfg.Host == "" || (cfg.User == "" && !cfg.IAM) || cfg.Database == "" {
		return nil, errors.New("redshift: host, user and database are required")
	}
	if cfg.Port == 0 {
		cfg.Port = 5439
	}
	if cfg.SSLMode == "" {
		cfg.SSLMode = "require"
	}
	if cfg.MaxConns <= 0 {
		cfg.MaxConns = 4
	}
	dsn := fmt.Sprintf("host=%s port=%d dbname=%s user=%s sslmode=%s connect_timeout=30",
		dsnValue(cfg.Host), cfg.Port, dsnValue(cfg.Database), dsnValue(cfg.User), dsnValue(cfg.SSLMode))
	connCfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("redshift: %w", err)
	}
	connCfg.Password = cfg.Password
	connCfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	s := &Source{cfg: cfg, connCfg: connCfg, idle: make(chan *pgx.Conn, cfg.MaxConns), slots: make(chan struct{}, cfg.MaxConns)}
	if cfg.IAM {
		if s.iam, err = newIAMCredentials(ctx, cfg); err != nil {
			return nil, fmt.Errorf("redshift: %w", s.scrub(err))
		}
	}
	c, err := s.acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("redshift: connect to %s:%d: %w", cfg.Host, cfg.Port, err)
	}
	s.release(c)
	return s, nil
}

// dsnValue quotes a keyword/value connection string value.
func dsnValue(v string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v) + "'"
}

// Dialect returns "redshift".
func (s *Source) Dialect() string { return "redshift" }

// Close closes the idle connections; connections in use close when
// released.
func (s *Source) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	for {
		select {
		case c := <-s.idle:
			c.Close(context.Background())
			<-s.slots
		default:
			return nil
		}
	}
}

// acquire returns an idle connection or opens one, waiting while
// MaxConns are in use.
func (s *Source) acquire(ctx context.Context) (*pgx.Conn, error) {
	select {
	case c := <-s.idle:
		if !c.IsClosed() {
			return c, nil
		}
		<-s.slots
	default:
	}
	select {
	case s.slots <- struct{}{}:
	case c := <-s.idle:
		return c, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	connCfg := s.connCfg
	if s.iam != nil {
		user, password, err := s.iam.get(ctx)
		if err != nil {
			<-s.slots
			return nil, s.scrub(err)
		}
		connCfg = s.connCfg.Copy()
		connCfg.User, connCfg.Password = user, password
	}
	c, err := pgx.ConnectConfig(ctx, connCfg)
	if err != nil {
		<-s.slots
		return nil, s.scrub(err)
	}
	return c, nil
}

// release returns c to the pool, or drops it when broken or closed.
func (s *Source) release(c *pgx.Conn) {
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed || c.IsClosed() || c.PgConn().TxStatus() != 'I' {
		c.Close(context.Background())
		<-s.slots
		return
	}
	s.idle <- c
}

// withConn runs fn on a pooled connection. When retry is set (read-only
// work), a lost connection is retried twice on a new one.
func (s *Source) withConn(ctx context.Context, retry bool, fn func(*pgx.Conn) error) error {
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		var c *pgx.Conn
		if c, err = s.acquire(ctx); err != nil {
			if !retry || !connectionLost(err) {
				return err
			}
		} else {
			err = fn(c)
			s.release(c)
			if err == nil || !retry || !connectionLost(err) {
				return s.scrub(err)
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(attempt+1) * 100 * time.Millisecond):
		}
	}
	return s.scrub(err)
}

// connectionLost reports whether err is a broken connection rather than
// an answer from the server.
func connectionLost(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code[:2] == "08" || pgErr.Code == "57P01"
	}
	var netErr net.Error
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &netErr) ||
		errors.Is(err, net.ErrClosed) || pgconn.SafeToRetry(err)
}

// scrub replaces any secret that found its way into err's text.
func (s *Source) scrub(err error) error {
	if err == nil {
		return nil
	}
	secrets := []string{s.cfg.Password, s.cfg.SecretAccessKey, s.cfg.SessionToken, s.cfg.AccessKeyID}
	if s.iam != nil {
		secrets = append(secrets, s.iam.secrets()...)
	}
	return provider.ScrubError(err, secrets...)
}
