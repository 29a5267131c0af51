package redshift

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// executeInput is the ExecuteStatement request body.
type executeInput struct {
	SQL                     string `json:"Sql"`
	Database                string
	ClusterIdentifier       string
	WorkgroupName           string
	DbUser                  string
	SecretArn               string
	SessionID               string `json:"SessionId"`
	SessionKeepAliveSeconds int
	StatementName           string
	Parameters              []json.RawMessage
	ResultFormat            string
}

type idInput struct {
	ID string `json:"Id"`
}

type resultInput struct {
	ID        string `json:"Id"`
	NextToken string
}

// statement is one submitted statement and, once it ends, its result.
type statement struct {
	id, sql, sessionID, database, user string
	cluster, workgroup                 string
	created                            time.Time

	mu           sync.Mutex
	status       string
	errMsg       string
	updated      time.Time
	hasResultSet bool
	resultRows   int64
	resultSize   int64
	pid          uint32
	columns      []map[string]any
	records      [][]map[string]any
	cancel       context.CancelFunc
}

// dataSession is a database session kept alive between statements.
type dataSession struct {
	id        string
	conn      *pgx.Conn
	keepAlive time.Duration
	database  string
	user      string
	cluster   string
	workgroup string
	// busy is set while a statement runs; idleSince when it ended.
	busy      bool
	idleSince time.Time
}

func (s *dataSession) close() { s.conn.Close(context.Background()) }

// execute starts a statement and returns at once, as the service does.
func (d *DataAPI) execute(in executeInput) (any, error) {
	if strings.TrimSpace(in.SQL) == "" {
		return nil, validation("Sql is required")
	}
	if len(in.SQL) > 100*1024 {
		return nil, validation("the SQL statement exceeds the 100 KB limit")
	}
	if len(in.Parameters) > 0 {
		return nil, validation("Parameters are not served by this emulator")
	}
	if in.SessionKeepAliveSeconds < 0 || in.SessionKeepAliveSeconds > 24*3600 {
		return nil, validation("SessionKeepAliveSeconds must be between 0 and 86400")
	}
	st := &statement{id: newID(), sql: in.SQL, created: time.Now(), status: "SUBMITTED"}
	st.updated = st.created
	var sess *dataSession
	var conn *pgx.Conn
	d.mu.Lock()
	d.expireSessions()
	d.mu.Unlock()
	if in.SessionID != "" {
		if in.Database != "" || in.ClusterIdentifier != "" || in.WorkgroupName != "" || in.DbUser != "" || in.SecretArn != "" {
			return nil, validation("SessionId cannot be combined with Database, ClusterIdentifier, WorkgroupName, DbUser or SecretArn")
		}
		d.mu.Lock()
		sess = d.sessions[in.SessionID]
		if sess == nil {
			d.mu.Unlock()
			return nil, &apiError{status: http.StatusBadRequest, code: "ResourceNotFoundException", message: "session " + in.SessionID + " does not exist or has expired"}
		}
		if sess.busy {
			d.mu.Unlock()
			return nil, &apiError{status: http.StatusBadRequest, code: "ActiveSessionsExceededException", message: "session " + in.SessionID + " is running another statement"}
		}
		sess.busy = true
		d.mu.Unlock()
		conn = sess.conn
		st.database, st.user, st.cluster, st.workgroup = sess.database, sess.user, sess.cluster, sess.workgroup
	} else {
		user, err := d.user(in)
		if err != nil {
			return nil, err
		}
		st.database, st.user, st.cluster, st.workgroup = in.Database, user, in.ClusterIdentifier, in.WorkgroupName
		f := d.opts.Front
		dsn := fmt.Sprintf("host=%s port=%d dbname=%s user=%s sslmode=disable", f.Host, f.Port, dsnQuote(in.Database), dsnQuote(user))
		cfg, err := pgx.ParseConfig(dsn)
		if err != nil {
			return nil, validation("%v", err)
		}
		cfg.Password = f.login(user).Password
		cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
		ctx, cancel := context.WithTimeout(background, 30*time.Second)
		conn, err = pgx.ConnectConfig(ctx, cfg)
		cancel()
		if err != nil {
			var pgErr *pgconn.PgError
			if errors.As(err, &pgErr) {
				return nil, &apiError{status: http.StatusBadRequest, code: "ExecuteStatementException", message: "FATAL: " + pgErr.Message}
			}
			return nil, &apiError{status: http.StatusInternalServerError, code: "InternalServerException", message: "cannot reach the cluster"}
		}
		if in.SessionKeepAliveSeconds > 0 {
			sess = &dataSession{id: newID(), conn: conn, keepAlive: time.Duration(in.SessionKeepAliveSeconds) * time.Second,
				database: in.Database, user: user, cluster: in.ClusterIdentifier, workgroup: in.WorkgroupName, busy: true}
			d.mu.Lock()
			d.sessions[sess.id] = sess
			d.mu.Unlock()
		}
	}
	if sess != nil {
		st.sessionID = sess.id
	}
	st.pid = conn.PgConn().PID()
	ctx, cancel := context.WithCancel(background)
	st.cancel = cancel
	d.mu.Lock()
	d.statements[st.id] = st
	d.mu.Unlock()
	go d.run(ctx, st, conn, sess)
	out := map[string]any{"Id": st.id, "CreatedAt": epoch(st.created), "Database": st.database, "DbUser": st.user}
	if st.cluster != "" {
		out["ClusterIdentifier"] = st.cluster
	}
	if st.workgroup != "" {
		out["WorkgroupName"] = st.workgroup
	}
	if sess != nil {
		out["SessionId"] = sess.id
	}
	return out, nil
}

// user resolves the database user of a statement outside a session.
func (d *DataAPI) user(in executeInput) (string, error) {
	if in.Database == "" {
		return "", validation("Database is required unless SessionId is given")
	}
	switch {
	case in.ClusterIdentifier != "" && in.WorkgroupName != "":
		return "", validation("give either ClusterIdentifier or WorkgroupName, not both")
	case in.ClusterIdentifier == "" && in.WorkgroupName == "":
		return "", validation("ClusterIdentifier or WorkgroupName is required")
	case in.DbUser != "" && in.SecretArn != "":
		return "", validation("give either DbUser or SecretArn, not both")
	case in.SecretArn != "":
		u, ok := d.opts.Secrets[in.SecretArn]
		if !ok {
			return "", &apiError{status: http.StatusBadRequest, code: "ValidationException", message: "secret " + in.SecretArn + " cannot be read"}
		}
		return u, nil
	case in.DbUser != "":
		return in.DbUser, nil
	case in.WorkgroupName != "":
		return d.opts.WorkgroupUser, nil
	}
	return "", validation("a provisioned cluster needs DbUser or SecretArn")
}

// expireSessions closes idle sessions past their keep-alive; d.mu held.
func (d *DataAPI) expireSessions() {
	for id, s := range d.sessions {
		if !s.busy && time.Since(s.idleSince) > s.keepAlive {
			s.close()
			delete(d.sessions, id)
		}
	}
}

// run executes the statement and records its outcome.
func (d *DataAPI) run(ctx context.Context, st *statement, conn *pgx.Conn, sess *dataSession) {
	defer func() {
		if sess == nil {
			conn.Close(context.Background())
			return
		}
		d.mu.Lock()
		sess.busy, sess.idleSince = false, time.Now()
		d.mu.Unlock()
	}()
	time.Sleep(d.opts.Delay / 2)
	st.set(func() { st.status = "STARTED" })
	time.Sleep(d.opts.Delay / 2)
	results, err := conn.PgConn().Exec(ctx, st.sql).ReadAll()
	if err == nil && firstWord(st.sql) == "UNLOAD" {
		var n int64
		if err = conn.QueryRow(ctx, "SELECT pg_last_unload_count()").Scan(&n); err == nil {
			st.set(func() { st.resultRows = n })
		}
	}
	st.set(func() {
		switch {
		case ctx.Err() != nil:
			st.status, st.errMsg = "ABORTED", "the statement was cancelled"
		case err != nil:
			st.status, st.errMsg = "FAILED", "ERROR: "+errorText(err)
		default:
			st.status = "FINISHED"
			st.record(results)
		}
	})
	if err != nil && sess != nil && conn.PgConn().TxStatus() == 'E' {
		_, _ = conn.Exec(context.Background(), "ROLLBACK")
	}
}

// errorText is the server's message for a failed statement.
func errorText(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Message
	}
	return err.Error()
}

func (st *statement) set(fn func()) {
	st.mu.Lock()
	defer st.mu.Unlock()
	fn()
	st.updated = time.Now()
}

// record keeps the result of the last statement that returned rows, or
// the affected row count of the last one.
func (st *statement) record(results []*pgconn.Result) {
	if firstWord(st.sql) == "UNLOAD" {
		return
	}
	st.resultRows = -1
	for _, r := range results {
		if len(r.FieldDescriptions) == 0 {
			if r.CommandTag.Insert() || r.CommandTag.Update() || r.CommandTag.Delete() || r.CommandTag.Select() {
				st.resultRows = r.CommandTag.RowsAffected()
			}
			continue
		}
		st.hasResultSet = true
		st.columns = columnMetadata(r.FieldDescriptions)
		st.records = st.records[:0]
		st.resultSize = 0
		for _, row := range r.Rows {
			rec := make([]map[string]any, len(row))
			for i, v := range row {
				rec[i] = field(v, r.FieldDescriptions[i].DataTypeOID)
				st.resultSize += int64(len(v))
			}
			st.records = append(st.records, rec)
		}
		st.resultRows = int64(len(st.records))
	}
}

// describe answers DescribeStatement.
func (d *DataAPI) describe(id string) (any, error) {
	st, err := d.statement(id)
	if err != nil {
		return nil, err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	out := map[string]any{"Id": st.id, "Status": st.status, "QueryString": st.sql, "CreatedAt": epoch(st.created),
		"UpdatedAt": epoch(st.updated), "HasResultSet": st.hasResultSet, "ResultRows": st.resultRows,
		"ResultSize": st.resultSize, "Database": st.database, "DbUser": st.user, "RedshiftPid": st.pid,
		"RedshiftQueryId": 0, "Duration": st.updated.Sub(st.created).Nanoseconds()}
	if st.status != "FINISHED" && st.status != "FAILED" && st.status != "ABORTED" {
		out["Duration"] = -1
	}
	if st.errMsg != "" {
		out["Error"] = st.errMsg
	}
	if st.sessionID != "" {
		out["SessionId"] = st.sessionID
	}
	if st.cluster != "" {
		out["ClusterIdentifier"] = st.cluster
	}
	if st.workgroup != "" {
		out["WorkgroupName"] = st.workgroup
	}
	return out, nil
}

// result answers GetStatementResult, one page of PageRows records.
func (d *DataAPI) result(in resultInput) (any, error) {
	st, err := d.statement(in.ID)
	if err != nil {
		return nil, err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.status != "FINISHED" || !st.hasResultSet {
		return nil, validation("Query does not have result. Please check query status with DescribeStatement.")
	}
	start := 0
	if in.NextToken != "" {
		if start, err = strconv.Atoi(strings.TrimPrefix(in.NextToken, "page-")); err != nil || start < 0 || start > len(st.records) {
			return nil, validation("invalid NextToken")
		}
	}
	end := min(start+d.opts.PageRows, len(st.records))
	out := map[string]any{"Records": st.records[start:end], "ColumnMetadata": st.columns, "TotalNumRows": len(st.records)}
	if end < len(st.records) {
		out["NextToken"] = "page-" + strconv.Itoa(end)
	}
	return out, nil
}

// cancel answers CancelStatement.
func (d *DataAPI) cancel(id string) (any, error) {
	st, err := d.statement(id)
	if err != nil {
		return nil, err
	}
	st.mu.Lock()
	running := st.status == "SUBMITTED" || st.status == "PICKED" || st.status == "STARTED"
	st.mu.Unlock()
	if running {
		st.cancel()
	}
	return map[string]any{"Status": running}, nil
}

func (d *DataAPI) statement(id string) (*statement, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	st, ok := d.statements[id]
	if !ok {
		return nil, &apiError{status: http.StatusBadRequest, code: "ResourceNotFoundException", message: "Query does not exist: " + id}
	}
	return st, nil
}

// dsnQuote quotes a keyword/value connection string value.
func dsnQuote(v string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v) + "'"
}

// blob encodes bytes the way the Field union's blobValue carries them.
func blob(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
