package maxcompute

import (
	"context"
	"errors"
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
// Rows is counted with SELECT COUNT(*) after the load. Statements and
// errors never show an AccessKey carried in the location.
func (t *Target) Load(ctx context.Context, req provider.LoadRequest) (*provider.LoadResult, error) {
	var extra []string
	if u, err := url.Parse(req.LocationURL); err == nil && u.User != nil {
		pass, _ := u.User.Password()
		extra = append(extra, pass)
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
	if !strings.HasPrefix(req.LocationURL, "oss://") || !strings.HasSuffix(req.LocationURL, "/") {
		return nil, fmt.Errorf("location %q is not an oss:// folder ending in /", t.redact(req.LocationURL))
	}
	table, err := t.table(ctx, req.Table)
	if err != nil {
		return nil, err
	}
	if len(table.PartitionColumns) > 0 {
		return nil, errors.New("loading partitioned tables is not supported yet")
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
	run := func(stmt string) error {
		res.Statements = append(res.Statements, stmt)
		_, err := t.exec(ctx, stmt, hints)
		return err
	}
	if !plan.staged {
		if err := run(t.loadStatement(table.Name, req.LocationURL)); err != nil {
			return res, err
		}
	} else if err := t.stagedLoad(ctx, table, plan, req.LocationURL, run); err != nil {
		return res, err
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

// loadStatement is the LOAD OVERWRITE of a Parquet folder.
func (t *Target) loadStatement(table, location string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "LOAD OVERWRITE TABLE %s\nFROM LOCATION %s\nROW FORMAT SERDE %s",
		typemap.Quote(table), quoteString(location), quoteString(parquetSerde))
	if t.cfg.LoadRoleArn != "" {
		fmt.Fprintf(&b, "\nWITH SERDEPROPERTIES (%s=%s)", quoteString("odps.properties.rolearn"), quoteString(t.cfg.LoadRoleArn))
	}
	b.WriteString("\nSTORED AS PARQUET;")
	return b.String()
}

// stagedLoad loads the files into a fresh staging table of the file types,
// casts them into the table with INSERT OVERWRITE and drops the staging
// table, also when a step fails.
func (t *Target) stagedLoad(ctx context.Context, table provider.TargetTable, plan loadPlan, location string, run func(string) error) error {
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
	if err == nil {
		err = run(t.loadStatement(stage, location))
	}
	if err == nil {
		err = run(fmt.Sprintf("INSERT OVERWRITE TABLE %s\nSELECT %s\nFROM %s;", typemap.Quote(table.Name),
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
