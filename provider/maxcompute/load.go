package maxcompute

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/ferry-dev/ferry/provider"
	"github.com/ferry-dev/ferry/provider/typemap"
)

// parquetSerde is the Hive serde class MaxCompute reads Parquet with.
const parquetSerde = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"

// stagingSuffix names the staging table of a cast load: <table>_ferry_stage.
const stagingSuffix = "_ferry_stage"

// Load replaces the table's rows with the Parquet files under
// req.LocationURL using LOAD OVERWRITE, reading OSS as Config.LoadRoleArn.
// OVERWRITE makes a retried or repeated load idempotent.
//
// When a FileColumns entry gives a column a file type other than its
// table type, the files go to a staging table of the file types first and
// the table is filled with INSERT OVERWRITE … SELECT CAST(…); the staging
// table is dropped afterwards (it has a one-day lifecycle in case the drop
// fails). Reading a DECIMAL adds odps.ext.parquet.native=true, the only
// reader that can.
//
// A partitioned table is loaded partition by partition from
// req.Partitions, each with LOAD OVERWRITE … PARTITION (k='v', n=5) of its
// folder (or the staging route, per partition), and the partitions SHOW
// PARTITIONS lists that the request does not are dropped with ALTER TABLE
// … DROP IF EXISTS PARTITION; see loadPartitions. req.LocationURL is not
// read then.
//
// Rows is counted with SELECT COUNT(*) after the load. Statements and
// errors never show an AccessKey carried in a location.
func (t *Target) Load(ctx context.Context, req provider.LoadRequest) (*provider.LoadResult, error) {
	var extra []string
	locations := []string{req.LocationURL}
	for _, p := range req.Partitions {
		locations = append(locations, p.LocationURL)
	}
	for _, loc := range locations {
		if u, err := url.Parse(loc); err == nil && u.User != nil {
			if pass, _ := u.User.Password(); pass != "" {
				extra = append(extra, pass)
			}
		}
	}
	res, err := t.load(ctx, req)
	if res != nil {
		for i, s := range res.Statements {
			res.Statements[i] = t.redact(s, extra...)
		}
	}
	if err != nil {
		return res, fmt.Errorf("load %s: %w", req.Table, t.redactErr(err, extra...))
	}
	return res, nil
}

func (t *Target) load(ctx context.Context, req provider.LoadRequest) (*provider.LoadResult, error) {
	table, err := t.table(ctx, req.Table)
	if err != nil {
		return nil, err
	}
	partitioned := len(table.PartitionColumns) > 0
	switch {
	case len(req.Partitions) > 0 && !partitioned:
		return nil, fmt.Errorf("table %s is not partitioned, but the load lists partitions", table.Name)
	case !partitioned && !ossFolder(req.LocationURL):
		return nil, fmt.Errorf("location %q is not an oss:// folder ending in /", t.redact(req.LocationURL))
	}
	plan, err := planLoad(table, req.FileColumns)
	if err != nil {
		return nil, err
	}
	hints := t.hints(nil)
	if plan.decimal {
		hints[HintParquetNative] = "true"
	}
	res := &provider.LoadResult{}
	query := func(stmt string) (string, error) {
		res.Statements = append(res.Statements, stmt)
		return t.exec(ctx, stmt, hints)
	}
	run := func(stmt string) error {
		_, err := query(stmt)
		return err
	}
	switch {
	case partitioned:
		if err := t.loadPartitions(table, plan, req.Partitions, run, query); err != nil {
			return res, err
		}
	case !plan.staged:
		if err := run(t.loadStatement(table.Name, "", req.LocationURL)); err != nil {
			return res, err
		}
	default:
		if err := t.stagedLoad(table, plan, []stagedPart{{location: req.LocationURL}}, run); err != nil {
			return res, err
		}
	}
	count := "SELECT COUNT(*) AS n FROM " + typemap.Quote(table.Name) + ";"
	res.Statements = append(res.Statements, count)
	out, err := t.exec(ctx, count, hints)
	if err != nil {
		return res, fmt.Errorf("count rows: %w", err)
	}
	r, err := parseResult(out)
	if err != nil || len(r.Rows) != 1 || len(r.Rows[0]) != 1 || r.Rows[0][0] == nil {
		return res, fmt.Errorf("count rows: unexpected result %q", out)
	}
	if res.Rows, err = strconv.ParseInt(*r.Rows[0][0], 10, 64); err != nil {
		return res, fmt.Errorf("count rows: %w", err)
	}
	return res, nil
}

// loadPlan is how the files reach the table.
type loadPlan struct {
	fileTypes []typemap.MCType // per table column, the type the files carry
	tableType []typemap.MCType
	staged    bool // some file type differs: go through a staging table
	decimal   bool // some file column is DECIMAL: needs the native reader
}

// planLoad pairs each table column with its file type and checks that the
// staging route can cast every differing one.
func planLoad(table provider.TargetTable, fileCols []provider.Column) (loadPlan, error) {
	declared := map[string]string{}
	for _, c := range fileCols {
		declared[strings.ToLower(c.Name)] = c.Type
	}
	var p loadPlan
	parse := typemap.Options{ExtendedDecimalScale: true}.ParseMaxCompute
	for _, c := range table.Columns {
		tt, err := parse(c.Type)
		if err != nil {
			return p, fmt.Errorf("column %s: %w", c.Name, err)
		}
		ft := tt
		if d, ok := declared[strings.ToLower(c.Name)]; ok {
			if ft, err = parse(d); err != nil {
				return p, fmt.Errorf("column %s: file type: %w", c.Name, err)
			}
		}
		if !ft.Equal(tt) {
			if err := typemap.CastLoad(ft, tt); err != nil {
				return p, fmt.Errorf("column %s: %w", c.Name, err)
			}
			p.staged = true
		}
		p.decimal = p.decimal || ft.Name == typemap.MCDecimal
		p.fileTypes = append(p.fileTypes, ft)
		p.tableType = append(p.tableType, tt)
	}
	return p, nil
}

// ossFolder reports whether loc is an oss:// folder ending in "/".
func ossFolder(loc string) bool {
	return strings.HasPrefix(loc, "oss://") && strings.HasSuffix(loc, "/")
}

// locationURI writes a folder URL whose path is a raw object key (as
// Bucket.LocationURL gives it) as the URI a LOAD location is: a '%' in the
// path becomes %25, so that a partition folder "k=REG%20AIR/" is read as
// that key and not as "k=REG AIR/". The path holds no other character a
// URI escapes: partition values are percent-encoded to letters, digits,
// -_. and %XX. (The emulator decodes locations as URIs; that the service
// does too is an assumption to confirm against a real project.)
func locationURI(loc string) string {
	rest, ok := strings.CutPrefix(loc, "oss://")
	if !ok {
		return loc
	}
	host, path, found := strings.Cut(rest, "/")
	if !found {
		return loc
	}
	return "oss://" + host + "/" + strings.ReplaceAll(path, "%", "%25")
}

// loadStatement is the LOAD OVERWRITE of a Parquet folder, into the
// partition spec ("`k`='v'") when one is given.
func (t *Target) loadStatement(table, spec, location string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "LOAD OVERWRITE TABLE %s", typemap.Quote(table))
	if spec != "" {
		fmt.Fprintf(&b, " PARTITION (%s)", spec)
	}
	fmt.Fprintf(&b, "\nFROM LOCATION %s\nROW FORMAT SERDE %s", quoteString(locationURI(location)), quoteString(parquetSerde))
	if t.cfg.LoadRoleArn != "" {
		fmt.Fprintf(&b, "\nWITH SERDEPROPERTIES (%s=%s)", quoteString("odps.properties.rolearn"), quoteString(t.cfg.LoadRoleArn))
	}
	b.WriteString("\nSTORED AS PARQUET;")
	return b.String()
}

// stagedPart is one folder a staged load reads, with the partition spec
// it fills ("" for an unpartitioned table).
type stagedPart struct {
	spec, location string
}

// stagedLoad creates a fresh staging table of the file types and, for each
// part, loads its folder into the staging table and casts it into the
// table (or the part's partition) with INSERT OVERWRITE; the staging table
// is dropped at the end, also when a step fails.
func (t *Target) stagedLoad(table provider.TargetTable, plan loadPlan, parts []stagedPart, run func(string) error) error {
	stage := stagingName(table.Name)
	cols := make([]provider.Column, len(table.Columns))
	selects := make([]string, len(table.Columns))
	for i, c := range table.Columns {
		cols[i] = provider.Column{Name: c.Name, Type: plan.fileTypes[i].String(), Nullable: true}
		selects[i] = typemap.Quote(c.Name)
		if !plan.fileTypes[i].Equal(plan.tableType[i]) {
			selects[i] = fmt.Sprintf("CAST(%s AS %s) AS %s", typemap.Quote(c.Name), plan.tableType[i], typemap.Quote(c.Name))
		}
	}
	drop := "DROP TABLE IF EXISTS " + typemap.Quote(stage) + ";"
	create, _, err := t.createStatement(provider.TableSpec{Name: stage, Columns: cols,
		Comment: "staging for " + table.Name, Lifecycle: 1})
	if err != nil {
		return err
	}
	if err := run(drop); err != nil {
		return err
	}
	err = run(create)
	for _, p := range parts {
		if err != nil {
			break
		}
		if err = run(t.loadStatement(stage, "", p.location)); err != nil {
			break
		}
		into := typemap.Quote(table.Name)
		if p.spec != "" {
			into += " PARTITION (" + p.spec + ")"
		}
		err = run(fmt.Sprintf("INSERT OVERWRITE TABLE %s\nSELECT %s\nFROM %s;", into,
			strings.Join(selects, ", "), typemap.Quote(stage)))
	}
	if dropErr := run(drop); err == nil {
		err = dropErr
	}
	return err
}

// stagingName is the staging table of a table, within the 128-byte limit.
func stagingName(table string) string {
	if len(table)+len(stagingSuffix) > 128 {
		table = table[:128-len(stagingSuffix)]
	}
	return table + stagingSuffix
}
