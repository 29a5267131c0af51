package redshift

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/redshiftdata"
	"github.com/aws/aws-sdk-go-v2/service/redshiftdata/types"
	"github.com/ferry-dev/ferry/provider"
)

var (
	_ provider.Source  = (*DataSource)(nil)
	_ provider.Querier = (*DataSource)(nil)
)

// Data API polling: DescribeStatement starts after firstPoll and backs
// off by doubling up to DataAPIConfig.MaxPoll.
const (
	firstPoll      = 20 * time.Millisecond
	defaultMaxPoll = 2 * time.Second
	// keysSessionSeconds keeps the session Keys needs alive between its
	// two statements.
	keysSessionSeconds = 60
)

// DataSource is a Redshift source reached through the Redshift Data API
// (HTTPS, IAM-signed) instead of the PostgreSQL protocol: for clusters
// without a network path to port 5439. Every statement is submitted with
// ExecuteStatement, polled with DescribeStatement and read with
// GetStatementResult pages. Each call is its own session unless a
// sequence needs one (Keys), which then uses SessionKeepAliveSeconds and
// SessionId.
type DataSource struct {
	cfg     Config
	api     DataAPIConfig
	client  *redshiftdata.Client
	maxPoll time.Duration
}

// StatementError is a statement the Data API ran and reported FAILED or
// ABORTED; Message is the database's error text.
type StatementError struct {
	ID      string
	Status  string
	Message string
}

// Error names the status and the database's message.
func (e *StatementError) Error() string {
	return fmt.Sprintf("Data API statement %s %s: %s", e.ID, e.Status, e.Message)
}

// Open returns a Data API source when cfg.DataAPI is set, else a
// PostgreSQL-protocol one.
func Open(ctx context.Context, cfg Config) (provider.Source, error) {
	if cfg.DataAPI != nil {
		return NewDataAPI(ctx, cfg)
	}
	return New(ctx, cfg)
}

// NewDataAPI checks cfg.DataAPI and runs one trivial statement, so that
// missing permissions fail here. AWS credentials come from the default
// chain. Errors never contain secrets.
func NewDataAPI(ctx context.Context, cfg Config) (*DataSource, error) {
	if cfg.DataAPI == nil {
		return nil, errors.New("redshift: no Data API configuration")
	}
	api := *cfg.DataAPI
	if api.Database == "" {
		api.Database = cfg.Database
	}
	if api.Region == "" {
		api.Region = cfg.Region
	}
	switch {
	case api.Database == "":
		return nil, errors.New("redshift: the Data API needs a database")
	case (api.ClusterIdentifier == "") == (api.WorkgroupName == ""):
		return nil, errors.New("redshift: the Data API needs either a cluster identifier or a workgroup name")
	case api.ClusterIdentifier != "" && api.DBUser == "" && api.SecretARN == "":
		return nil, errors.New("redshift: the Data API needs a database user or a secret ARN for a provisioned cluster")
	case api.DBUser != "" && api.SecretARN != "":
		return nil, errors.New("redshift: give the Data API a database user or a secret ARN, not both")
	}
	awsCfg, err := loadAWSConfig(ctx, api.Region)
	if err != nil {
		return nil, fmt.Errorf("redshift: %w", err)
	}
	d := &DataSource{cfg: cfg, api: api, maxPoll: api.MaxPoll}
	if d.maxPoll <= 0 {
		d.maxPoll = defaultMaxPoll
	}
	d.client = redshiftdata.NewFromConfig(awsCfg, func(o *redshiftdata.Options) {
		if api.Endpoint != "" {
			o.BaseEndpoint = aws.String(api.Endpoint)
		}
	})
	if _, err := d.Query(ctx, "SELECT 1"); err != nil {
		return nil, fmt.Errorf("redshift: Data API: %w", err)
	}
	return d, nil
}

// Dialect returns "redshift".
func (d *DataSource) Dialect() string { return "redshift" }

// Close releases nothing: sessions end by themselves when their
// keep-alive lapses.
func (d *DataSource) Close() error { return nil }

// session is a Data API session: empty id until its first statement.
type session struct {
	id        string
	keepAlive int32
}

// run submits sql, in sess when given, and waits for it to end.
func (d *DataSource) run(ctx context.Context, sql string, sess *session) (*redshiftdata.DescribeStatementOutput, error) {
	in := &redshiftdata.ExecuteStatementInput{Sql: aws.String(sql)}
	if sess != nil && sess.id != "" {
		in.SessionId = aws.String(sess.id)
	} else {
		in.Database = aws.String(d.api.Database)
		if d.api.ClusterIdentifier != "" {
			in.ClusterIdentifier = aws.String(d.api.ClusterIdentifier)
		} else {
			in.WorkgroupName = aws.String(d.api.WorkgroupName)
		}
		if d.api.SecretARN != "" {
			in.SecretArn = aws.String(d.api.SecretARN)
		} else if d.api.DBUser != "" {
			in.DbUser = aws.String(d.api.DBUser)
		}
		if sess != nil {
			in.SessionKeepAliveSeconds = aws.Int32(sess.keepAlive)
		}
	}
	out, err := d.client.ExecuteStatement(ctx, in)
	if err != nil {
		return nil, d.scrub(err)
	}
	if sess != nil && sess.id == "" {
		sess.id = aws.ToString(out.SessionId)
	}
	id := aws.ToString(out.Id)
	wait := firstPoll
	for {
		select {
		case <-ctx.Done():
			// A fresh context: the caller's is done, the cancel must go out.
			cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			_, _ = d.client.CancelStatement(cctx, &redshiftdata.CancelStatementInput{Id: aws.String(id)})
			cancel()
			return nil, ctx.Err()
		case <-time.After(wait):
		}
		wait = min(wait*2, d.maxPoll)
		desc, err := d.client.DescribeStatement(ctx, &redshiftdata.DescribeStatementInput{Id: aws.String(id)})
		if err != nil {
			return nil, d.scrub(err)
		}
		switch desc.Status {
		case types.StatusStringFinished:
			return desc, nil
		case types.StatusStringFailed, types.StatusStringAborted:
			return nil, d.scrub(&StatementError{ID: id, Status: string(desc.Status), Message: aws.ToString(desc.Error)})
		}
	}
}

// Query runs one SELECT and returns canonical strings, as Source.Query
// does.
func (d *DataSource) Query(ctx context.Context, sql string) (*provider.Result, error) {
	return d.query(ctx, sql, nil)
}

func (d *DataSource) query(ctx context.Context, sql string, sess *session) (*provider.Result, error) {
	desc, err := d.run(ctx, sql, sess)
	if err != nil {
		return nil, err
	}
	res := &provider.Result{Columns: []string{}, Rows: [][]*string{}}
	if !aws.ToBool(desc.HasResultSet) {
		return res, nil
	}
	in := &redshiftdata.GetStatementResultInput{Id: desc.Id}
	for {
		page, err := d.client.GetStatementResult(ctx, in)
		if err != nil {
			return nil, d.scrub(err)
		}
		if len(res.Columns) == 0 {
			for _, c := range page.ColumnMetadata {
				res.Columns = append(res.Columns, aws.ToString(c.Name))
			}
		}
		for _, rec := range page.Records {
			row := make([]*string, len(rec))
			for i, f := range rec {
				typeName := ""
				if i < len(page.ColumnMetadata) {
					typeName = aws.ToString(page.ColumnMetadata[i].TypeName)
				}
				row[i] = fieldText(f, typeName)
			}
			res.Rows = append(res.Rows, row)
		}
		if aws.ToString(page.NextToken) == "" {
			return res, nil
		}
		in.NextToken = page.NextToken
	}
}

// typeOIDs maps Data API typeName values to the OIDs canonical knows.
var typeOIDs = map[string]uint32{
	"bool": oidBool, "float4": oidFloat4, "float8": oidFloat8,
	"timestamp": oidTimestamp, "timestamptz": oidTimestampTZ,
}

// fieldText renders one Field in the canonical form Source.Query uses.
func fieldText(f types.Field, typeName string) *string {
	var s string
	switch v := f.(type) {
	case *types.FieldMemberIsNull:
		return nil
	case *types.FieldMemberStringValue:
		s = canonical(v.Value, typeOIDs[typeName])
	case *types.FieldMemberLongValue:
		s = strconv.FormatInt(v.Value, 10)
	case *types.FieldMemberDoubleValue:
		if typeName == "float4" {
			s = strconv.FormatFloat(float64(float32(v.Value)), 'g', -1, 32)
		} else {
			s = strconv.FormatFloat(v.Value, 'g', -1, 64)
		}
	case *types.FieldMemberBooleanValue:
		s = strconv.FormatBool(v.Value)
	case *types.FieldMemberBlobValue:
		s = `\x` + hex.EncodeToString(v.Value)
	default:
		return nil
	}
	return &s
}

// Tables implements provider.Source as Source.Tables does, including the
// fallback for users who may not read SVV_TABLE_INFO.
func (d *DataSource) Tables(ctx context.Context) ([]provider.TableInfo, error) {
	return readTables(ctx, d)
}

// Keys is Source.Keys over the Data API: the search_path and the
// PG_TABLE_DEF query share one session.
func (d *DataSource) Keys(ctx context.Context) (map[string]TableKeys, error) {
	res, err := d.Query(ctx, schemasQuery)
	if err != nil {
		return nil, fmt.Errorf("read Redshift keys: %w", err)
	}
	schemas := column0(res)
	if len(schemas) == 0 {
		return map[string]TableKeys{}, nil
	}
	sess := &session{keepAlive: keysSessionSeconds}
	if _, err := d.run(ctx, searchPath(schemas), sess); err != nil {
		return nil, fmt.Errorf("read Redshift keys: %w", err)
	}
	keys, err := d.query(ctx, keysQuery, sess)
	if err != nil {
		return nil, fmt.Errorf("read Redshift keys: %w", err)
	}
	return parseKeys(keys)
}

// UnloadSQL returns the UNLOAD statement Unload would run, secrets
// redacted.
func (d *DataSource) UnloadSQL(req provider.UnloadRequest) (string, error) {
	return unloadSQL(d.cfg, req, d.cfg.Unload, true)
}

// Unload implements provider.Source as Source.Unload does, with the
// statement sent through ExecuteStatement (at most 100 KB).
func (d *DataSource) Unload(ctx context.Context, req provider.UnloadRequest) (*provider.Manifest, error) {
	res, err := runUnload(ctx, d.cfg, req, d.cfg.Unload, false, d.exec, d.scrub)
	if err != nil {
		return nil, err
	}
	return res.Manifest, nil
}

// UnloadDetailed implements DetailedUnloader.
func (d *DataSource) UnloadDetailed(ctx context.Context, req provider.UnloadRequest, opts UnloadOptions) (*UnloadResult, error) {
	return runUnload(ctx, d.cfg, req, opts, true, d.exec, d.scrub)
}

func (d *DataSource) exec(ctx context.Context, stmt string) error {
	_, err := d.run(ctx, stmt, nil)
	return err
}

// scrub removes the configured secrets from err's text.
func (d *DataSource) scrub(err error) error {
	return provider.ScrubError(err, d.cfg.Password, d.cfg.SecretAccessKey, d.cfg.SessionToken, d.cfg.AccessKeyID)
}
