package maxcompute

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/aliyun/aliyun-odps-go-sdk/odps"
	"github.com/aliyun/aliyun-odps-go-sdk/odps/restclient"
	"github.com/aliyun/aliyun-odps-go-sdk/odps/tableschema"

	"github.com/ferry-dev/ferry/provider"
	"github.com/ferry-dev/ferry/provider/typemap"
)

// ferryMark starts the comment of every table ferry creates; DropTable
// refuses tables without it.
const ferryMark = "created by ferry"

// batchSize is the most tables one BatchLoadTables request describes.
const batchSize = 100

// Tables lists the project's tables (or the schema's) with their columns:
// one paged listing of names, then the schemas in batches of 100. Column
// types are MaxCompute types in canonical form ("DECIMAL(15,2)").
func (t *Target) Tables(ctx context.Context) ([]provider.TargetTable, error) {
	var names []string
	err := t.retry(ctx, func() error {
		names = nil
		var listErr error
		t.odps.Tables().List(func(tb *odps.Table, err error) {
			if err != nil {
				listErr = err
				return
			}
			names = append(names, tb.Name())
		})
		return listErr
	})
	if err != nil {
		return nil, t.redactErr(fmt.Errorf("list tables: %w", err))
	}
	var out []provider.TargetTable
	for start := 0; start < len(names); start += batchSize {
		chunk := names[start:min(start+batchSize, len(names))]
		var tables []*odps.Table
		err := t.retry(ctx, func() error {
			var err error
			tables, err = t.odps.Tables().BatchLoadTables(chunk)
			return err
		})
		if err != nil {
			return nil, t.redactErr(fmt.Errorf("describe tables: %w", err))
		}
		for _, tb := range tables {
			out = append(out, targetTable(tb.Schema()))
		}
	}
	return out, nil
}

// table describes one table, wrapping provider.ErrNotFound when it does
// not exist.
func (t *Target) table(ctx context.Context, name string) (provider.TargetTable, error) {
	tb := t.odps.Table(name)
	err := t.retry(ctx, tb.Load)
	var he restclient.HttpError
	if errors.As(err, &he) && he.StatusCode == 404 {
		return provider.TargetTable{}, fmt.Errorf("table %s: %w", name, provider.ErrNotFound)
	}
	if err != nil {
		return provider.TargetTable{}, t.redactErr(fmt.Errorf("describe table %s: %w", name, err))
	}
	return targetTable(tb.Schema()), nil
}

// targetTable converts the SDK's schema.
func targetTable(s tableschema.TableSchema) provider.TargetTable {
	tt := provider.TargetTable{
		Name: s.TableName, Rows: int64(s.RecordNum),
		CreatedByFerry: strings.HasPrefix(s.Comment, ferryMark),
	}
	if s.RecordNum < 0 {
		tt.Rows = -1
	}
	for _, c := range s.Columns {
		tt.Columns = append(tt.Columns, column(c))
	}
	for _, c := range s.PartitionColumns {
		tt.PartitionColumns = append(tt.PartitionColumns, column(c))
	}
	return tt
}

func column(c tableschema.Column) provider.Column {
	return provider.Column{Name: c.Name, Type: canonical(c.Type.Name()), Nullable: !c.NotNull, Comment: c.Comment}
}

// canonical spells a MaxCompute type the way typemap prints it, or as
// given when typemap does not know it.
func canonical(typ string) string {
	if mt, err := (typemap.Options{ExtendedDecimalScale: true}).ParseMaxCompute(typ); err == nil {
		return mt.String()
	}
	return strings.ToUpper(typ)
}

// CreateTable creates the table with CREATE TABLE IF NOT EXISTS, marked
// "created by ferry" in its comment, then reads it back: IF NOT EXISTS
// succeeds without a word when another table of that name exists, so a
// table not created by ferry, or whose columns differ from the spec, is
// an error. A ferry table that already matches the spec is accepted, so a
// create interrupted after the DDL can be run again.
func (t *Target) CreateTable(ctx context.Context, spec provider.TableSpec) error {
	if err := t.createTable(ctx, spec); err != nil {
		return fmt.Errorf("create table %s: %w", spec.Name, err)
	}
	return nil
}

func (t *Target) createTable(ctx context.Context, spec provider.TableSpec) error {
	ddl, hints, err := t.createStatement(spec)
	if err != nil {
		return err
	}
	if _, err := t.exec(ctx, ddl, hints); err != nil {
		return err
	}
	got, err := t.table(ctx, spec.Name)
	if err != nil {
		return fmt.Errorf("read back: %w", err)
	}
	return compareSchema(spec, got)
}

// createStatement builds the DDL and its hints. Every identifier is
// backtick-quoted, so reserved words never matter.
func (t *Target) createStatement(spec provider.TableSpec) (string, map[string]string, error) {
	if spec.Name == "" || len(spec.Columns) == 0 {
		return "", nil, errors.New("a table needs a name and at least one column")
	}
	hints := t.hints(nil)
	defs := func(cols []provider.Column, partition bool) ([]string, error) {
		var out []string
		for _, c := range cols {
			mt, err := (typemap.Options{ExtendedDecimalScale: true}).ParseMaxCompute(c.Type)
			if err != nil {
				return nil, fmt.Errorf("column %s: %w", c.Name, err)
			}
			if _, ok := partitionKeyBits[mt.Name]; partition && !ok {
				return nil, fmt.Errorf("partition column %s: type %s cannot be a partition key (STRING, VARCHAR, CHAR, TINYINT, SMALLINT, INT or BIGINT)", c.Name, mt)
			}
			if mt.Name == typemap.MCDecimal && mt.Scale > typemap.MCMaxDecimalScale {
				hints[HintExtendedScale] = "true"
			}
			def := "  " + typemap.Quote(c.Name) + " " + mt.String()
			if !c.Nullable && !partition {
				def += " NOT NULL"
			}
			if c.Comment != "" {
				def += " COMMENT " + quoteString(c.Comment)
			}
			out = append(out, def)
		}
		return out, nil
	}
	cols, err := defs(spec.Columns, false)
	if err != nil {
		return "", nil, err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE TABLE IF NOT EXISTS %s (\n%s\n)\nCOMMENT %s", typemap.Quote(spec.Name),
		strings.Join(cols, ",\n"), quoteString(tableComment(spec)))
	if len(spec.PartitionColumns) > 0 {
		parts, err := defs(spec.PartitionColumns, true)
		if err != nil {
			return "", nil, err
		}
		fmt.Fprintf(&b, "\nPARTITIONED BY (\n%s\n)", strings.Join(parts, ",\n"))
	}
	lifecycle := spec.Lifecycle
	if lifecycle == 0 {
		lifecycle = t.cfg.Lifecycle
	}
	if lifecycle > 0 {
		b.WriteString("\nLIFECYCLE " + strconv.Itoa(lifecycle))
	}
	b.WriteString(";")
	return b.String(), hints, nil
}

// tableComment is ferry's mark followed by the spec's comment.
func tableComment(spec provider.TableSpec) string {
	if spec.Comment == "" {
		return ferryMark
	}
	return ferryMark + ": " + spec.Comment
}

// compareSchema fails when the table read back is not the one asked for.
func compareSchema(spec provider.TableSpec, got provider.TargetTable) error {
	if !got.CreatedByFerry {
		return errors.New("a table of that name, not created by ferry, exists already")
	}
	const kept = "CREATE TABLE IF NOT EXISTS kept an existing table, or the service changed a type"
	diff := func(kind string, want, have []provider.Column) error {
		if len(want) != len(have) {
			return fmt.Errorf("exists with %d %s, want %d (%s)", len(have), kind, len(want), kept)
		}
		for i, w := range want {
			h := have[i]
			if !strings.EqualFold(w.Name, h.Name) || canonical(w.Type) != h.Type {
				return fmt.Errorf("exists with %s %d = %s %s, want %s %s (%s)",
					kind, i+1, h.Name, h.Type, strings.ToLower(w.Name), canonical(w.Type), kept)
			}
		}
		return nil
	}
	if err := diff("columns", spec.Columns, got.Columns); err != nil {
		return err
	}
	return diff("partition columns", spec.PartitionColumns, got.PartitionColumns)
}

// DropTable drops a table ferry created; a missing table is not an error,
// and a table without ferry's mark is refused, so that a mistaken name
// never destroys data ferry does not own.
func (t *Target) DropTable(ctx context.Context, name string) error {
	tb, err := t.table(ctx, name)
	if errors.Is(err, provider.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("drop table %s: %w", name, err)
	}
	if !tb.CreatedByFerry {
		return fmt.Errorf("drop table %s: the table was not created by ferry", name)
	}
	if _, err := t.exec(ctx, "DROP TABLE IF EXISTS "+typemap.Quote(name)+";", t.hints(nil)); err != nil {
		return fmt.Errorf("drop table %s: %w", name, err)
	}
	return nil
}

// quoteString writes a MaxCompute string literal; backslash escapes
// quotes and backslashes.
func quoteString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}
