package redshift

import (
	"context"
	"fmt"
	"strings"
	"testing"

	emulator "github.com/ferry-dev/ferry/internal/emulator/redshift"
	"github.com/ferry-dev/ferry/internal/golden"
	"github.com/ferry-dev/ferry/provider"
	"github.com/ferry-dev/ferry/provider/typemap"
)

// long127 is a 127-byte column name, Redshift's longest identifier.
var long127 = "c" + strings.Repeat("0123456789", 12) + "abcdef"

// everyType is a table using every Redshift type of the mapping table,
// in catalog spelling, under awkward names.
var everyType = provider.TableInfo{Schema: "Sales Data", Name: "Every;Type", Columns: []provider.Column{
	{Name: "MixedCase", Type: "SMALLINT"}, {Name: "select", Type: "INTEGER"}, {Name: "bigint", Type: "BIGINT"},
	{Name: "amount", Type: "NUMERIC(15,2)"}, {Name: "wide", Type: "NUMERIC(38,0)"}, {Name: "fine", Type: "NUMERIC(38,25)"},
	{Name: "r", Type: "REAL"}, {Name: "d", Type: "DOUBLE PRECISION"}, {Name: "flag", Type: "BOOLEAN"},
	{Name: "code", Type: "CHARACTER(10)"}, {Name: "pad", Type: "CHARACTER(300)"},
	{Name: `we"ird;name`, Type: "CHARACTER VARYING(100)"}, {Name: "it's", Type: "CHARACTER VARYING(65535)"},
	{Name: "day", Type: "DATE"}, {Name: "ts", Type: "TIMESTAMP WITHOUT TIME ZONE"}, {Name: "tstz", Type: "TIMESTAMP WITH TIME ZONE"},
	{Name: "t", Type: "TIME WITHOUT TIME ZONE"}, {Name: "ttz", Type: "TIME WITH TIME ZONE"}, {Name: "doc", Type: "SUPER"},
	{Name: "bytes", Type: "BINARY VARYING(1024)"}, {Name: "shape", Type: "GEOMETRY"}, {Name: "place", Type: "GEOGRAPHY"},
	{Name: "sketch", Type: "HLLSKETCH"}, {Name: "ym", Type: "INTERVAL YEAR TO MONTH"}, {Name: "ds", Type: "INTERVAL DAY TO SECOND"},
	{Name: long127, Type: "BIGINT"},
}}

// mappedColumn is one column as the planner maps it: target name,
// mapping, and the unload expression.
type mappedColumn struct {
	source, target string
	m              typemap.Mapping
}

// mapTable maps every column the way the planner does; names MaxCompute
// refuses are renamed to their letters, digits and _ (as a user would in
// a column block) and reported in notes.
func mapTable(t *testing.T, info provider.TableInfo) (cols []mappedColumn, notes []string) {
	t.Helper()
	for _, c := range info.Columns {
		rt, err := typemap.ParseRedshift(c.Type)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		m := typemap.Map(rt, typemap.Options{})
		if m.Unsupported != nil {
			t.Fatalf("%s: %v", c.Name, m.Unsupported)
		}
		name, err := typemap.ColumnName(c.Name)
		if err != nil {
			name = strings.Map(func(r rune) rune {
				if r == '_' || (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
					return r
				}
				return '_'
			}, strings.ToLower(c.Name))
			notes = append(notes, fmt.Sprintf("-- renamed %q to %s: %v", c.Name, name, err))
		}
		cols = append(cols, mappedColumn{source: c.Name, target: name, m: m})
	}
	return cols, notes
}

// selectFor builds the unload SELECT the way planner/resources.go does.
func selectFor(info provider.TableInfo, cols []mappedColumn) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = fmt.Sprintf(c.m.Expr, quoteIdent(c.source)) + " AS " + quoteIdent(c.target)
	}
	return "SELECT " + strings.Join(parts, ", ") + " FROM " + quoteIdent(info.Schema) + "." + quoteIdent(info.Name)
}

// ddlFor renders the MaxCompute CREATE TABLE of the mapped columns.
func ddlFor(table string, cols []mappedColumn, notes []string) string {
	var b strings.Builder
	for _, n := range notes {
		b.WriteString(n + "\n")
	}
	fmt.Fprintf(&b, "CREATE TABLE %s (\n", typemap.Quote(table))
	for i, c := range cols {
		sep := ","
		if i == len(cols)-1 {
			sep = ""
		}
		fmt.Fprintf(&b, "  %s %s%s -- %s, file %s\n", typemap.Quote(c.target), c.m.Target, sep, c.m.Source, c.m.FileType)
	}
	b.WriteString(");\n")
	return b.String()
}

func TestGoldenEveryType(t *testing.T) {
	cols, notes := mapTable(t, everyType)
	s := &Source{cfg: Config{AccessKeyID: "AKIAGOLDEN000", SecretAccessKey: "golden/secret/key", UnloadRole: ""}}
	req := provider.UnloadRequest{Table: "Sales Data.Every;Type", Select: selectFor(everyType, cols),
		DataURL: "s3://bkt/run/Sales Data.Every;Type/data/", ManifestURL: "s3://bkt/run/manifest.json", MaxFileSize: 1 << 30}
	var out strings.Builder
	for _, opts := range []UnloadOptions{{}, {ParallelOff: true}, {PartitionBy: []string{"day", `we"ird;name`}}} {
		stmt, err := unloadSQL(s.cfg, req, opts, true)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&out, "-- options %+v\n%s;\n\n", opts, stmt)
	}
	if strings.Contains(out.String(), "golden/secret/key") || strings.Contains(out.String(), "AKIAGOLDEN000") {
		t.Error("UNLOAD statement shows the access keys")
	}
	golden.Check(t, "every_type_unload.golden", out.String())
	table, err := typemap.TableName("every_type")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := typemap.TableName(everyType.Name); err == nil {
		t.Errorf("table name %q should need a rename", everyType.Name)
	}
	golden.Check(t, "every_type_ddl.golden", ddlFor(table, cols, notes))
}

// everyTypeDDL is the every-type table as PostgreSQL can hold it:
// jsonb stands for SUPER and bytea for VARBYTE; GEOMETRY, GEOGRAPHY and
// HLLSKETCH have no PostgreSQL equivalent here and are left out, and
// names stop at PostgreSQL's 63 bytes.
const everyTypeDDL = `
CREATE SCHEMA "Sales Data";
CREATE TABLE "Sales Data"."Every;Type" (
  "MixedCase" smallint, "select" integer, "bigint" bigint, amount numeric(15,2), wide numeric(38,0),
  fine numeric(38,25), r real, d double precision, flag boolean, code char(10), pad char(300),
  "we""ird;name" varchar(100), "it's" text, day date, ts timestamp, tstz timestamptz, t time, ttz timetz,
  doc jsonb, bytes bytea, ym interval year to month, ds interval day to second
);
INSERT INTO "Sales Data"."Every;Type"
SELECT g, g * 1000, g::bigint * 1000000000, g * 1.25, g * 1e20, g / 7.0, g / 3.0, g / 7.0, g % 2 = 0,
       'c' || g, 'p' || g, 'it''s "odd"; ' || g, repeat('x', g % 50), date '2020-01-01' + g,
       timestamp '2020-01-01 00:00:00' + g * interval '1.5 seconds', timestamptz '2020-01-01 00:00:00+00' + g * interval '1 hour',
       time '00:00:00' + g * interval '1 second', timetz '12:00:00+02', jsonb_build_object('g', g, 's', 'v' || g),
       decode(lpad(to_hex(g), 8, '0'), 'hex'), g * interval '1 month', g * interval '1 day 1 second'
FROM generate_series(1, 3000) g;
INSERT INTO "Sales Data"."Every;Type" ("select") VALUES (NULL);
`

func TestUnloadEveryTypeFooter(t *testing.T) {
	e := newEnv(t, emulator.Faults{})
	ctx := context.Background()
	if _, err := e.up.Exec(ctx, everyTypeDDL); err != nil {
		t.Fatal(err)
	}
	s := e.source(t)
	tables, err := s.Tables(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var info provider.TableInfo
	for _, ti := range tables {
		if ti.Schema == "Sales Data" {
			info = ti
		}
	}
	if info.Name != "Every;Type" || len(info.Columns) != 22 || info.Rows != 3001 {
		t.Fatalf("every-type table as listed: %+v", info)
	}
	cols, _ := mapTable(t, info)
	req := provider.UnloadRequest{Table: "Sales Data.Every;Type", Select: selectFor(info, cols),
		DataURL: "s3://bkt/every/data/", ManifestURL: "s3://bkt/every/manifest.json", MaxFileSize: 5 << 20}
	res, err := s.UnloadDetailed(ctx, req, UnloadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	count := e.pgString(t, `SELECT count(*)::text FROM "Sales Data"."Every;Type"`)
	var sum int64
	for _, entry := range res.Manifest.Entries {
		sum += entry.Meta.RecordCount
	}
	if fmt.Sprint(res.Manifest.Meta.RecordCount) != count || fmt.Sprint(sum) != count || len(res.Manifest.Entries) < 2 {
		t.Errorf("manifest counts %d (entries sum %d, %d files), count(*) %s", res.Manifest.Meta.RecordCount, sum, len(res.Manifest.Entries), count)
	}
	if len(res.Footer.Columns) != len(cols) || res.Footer.URL != res.Manifest.Entries[0].URL || res.Footer.Rows != res.Manifest.Entries[0].Meta.RecordCount {
		t.Fatalf("footer %+v", res.Footer)
	}
	for i, c := range cols {
		fc := res.Footer.Columns[i]
		got, err := fc.MaxComputeType()
		if fc.Name != c.target || err != nil || !got.Equal(c.m.FileType) {
			t.Errorf("%s (%s): footer %s %s = %s (%v), typemap expects file type %s", c.source, c.m.Source, fc.Name, fc, got, err, c.m.FileType)
		}
	}
}

func TestUnloadParallelOff(t *testing.T) {
	e := newEnv(t, emulator.Faults{})
	s := e.source(t)
	res, err := s.UnloadDetailed(context.Background(), provider.UnloadRequest{Table: "public.lineitem", Select: lineitemSelect,
		DataURL: "s3://bkt/serial/data/", ManifestURL: "s3://bkt/serial/manifest.json", MaxFileSize: 5 << 20}, UnloadOptions{ParallelOff: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Manifest.Entries) < 2 || res.Manifest.Entries[1].URL != "s3://bkt/serial/data/001.parquet" || !strings.HasSuffix(res.Statement, "PARALLEL OFF\nMAXFILESIZE 5 MB") {
		t.Errorf("PARALLEL OFF: %+v\n%s", res.Manifest.Entries, res.Statement)
	}
}
