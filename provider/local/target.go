package local

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/ferry-dev/ferry/provider"
)

var (
	_ provider.Target  = (*Target)(nil)
	_ provider.Querier = (*Target)(nil)
)

const (
	// ferryMark starts the comment of every table CreateTable makes.
	ferryMark = "created by ferry"
	// partitionMark starts the comment of a partition key column; the
	// MaxCompute type follows it.
	partitionMark = "PARTITION KEY "
)

// Target is a DuckDB database playing a MaxCompute project. Tables live in
// schema main; each column's comment holds its MaxCompute type, and
// partition keys are ordinary trailing columns whose comment starts with
// "PARTITION KEY ". Lifecycle and column comments of a TableSpec are not
// kept.
type Target struct {
	h *handle
}

// OpenTarget opens the DuckDB database at path, creating it if missing.
func OpenTarget(path string) (*Target, error) {
	h, err := openHandle(path)
	if err != nil {
		return nil, err
	}
	return &Target{h: h}, nil
}

// Close releases the database.
func (t *Target) Close() error { return t.h.close() }

// Dialect returns "duckdb".
func (t *Target) Dialect() string { return "duckdb" }

// Query runs one SELECT and returns its values as canonical strings.
func (t *Target) Query(ctx context.Context, sql string) (*provider.Result, error) {
	return query(ctx, t.h.db, sql)
}

// CreateTable creates the table with each MaxCompute type mapped to its
// DuckDB storage type, in one transaction with its comments. It fails if
// the table exists, a type is not supported, or a partition key is not of
// a type MaxCompute allows for keys (STRING, VARCHAR, CHAR, TINYINT,
// SMALLINT, INT, BIGINT).
func (t *Target) CreateTable(ctx context.Context, spec provider.TableSpec) error {
	stmts, err := createStatements(spec)
	if err != nil {
		return fmt.Errorf("create table %s: %w", spec.Name, err)
	}
	if err := inTx(ctx, t.h.db, stmts); err != nil {
		return fmt.Errorf("create table %s: %w", spec.Name, err)
	}
	return nil
}

// createStatements returns CREATE TABLE and the COMMENT statements.
func createStatements(spec provider.TableSpec) ([]string, error) {
	if spec.Name == "" || len(spec.Columns) == 0 {
		return nil, fmt.Errorf("a table needs a name and at least one column")
	}
	table := "main." + quoteIdent(spec.Name)
	var defs, comments []string
	add := func(c provider.Column, partition bool) error {
		mt, err := parseMC(c.Type)
		if err != nil {
			return fmt.Errorf("column %s: %w", c.Name, err)
		}
		if partition {
			if err := checkPartitionKey(c.Name, mt); err != nil {
				return err
			}
		}
		def := quoteIdent(c.Name) + " " + mt.duckType()
		if !c.Nullable && !partition {
			def += " NOT NULL"
		}
		defs = append(defs, def)
		comment := mt.String()
		if partition {
			comment = partitionMark + comment
		}
		comments = append(comments, fmt.Sprintf("COMMENT ON COLUMN %s.%s IS %s", table, quoteIdent(c.Name), quoteString(comment)))
		return nil
	}
	for _, c := range spec.Columns {
		if err := add(c, false); err != nil {
			return nil, err
		}
	}
	for _, c := range spec.PartitionColumns {
		if err := add(c, true); err != nil {
			return nil, err
		}
	}
	mark := ferryMark
	if spec.Comment != "" {
		mark += ": " + spec.Comment
	}
	stmts := []string{fmt.Sprintf("CREATE TABLE %s (%s)", table, strings.Join(defs, ", "))}
	stmts = append(stmts, fmt.Sprintf("COMMENT ON TABLE %s IS %s", table, quoteString(mark)))
	return append(stmts, comments...), nil
}

// DropTable drops a table ferry created. A missing table is not an error;
// a table without ferry's mark is refused, so that a mistaken name never
// destroys data ferry does not own.
func (t *Target) DropTable(ctx context.Context, name string) error {
	var comment sql.NullString
	err := t.h.db.QueryRowContext(ctx,
		"SELECT comment FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = ?", name).Scan(&comment)
	if err == sql.ErrNoRows {
		return nil
	}
	if err != nil {
		return fmt.Errorf("drop table %s: %w", name, err)
	}
	if !strings.HasPrefix(comment.String, ferryMark) {
		return fmt.Errorf("drop table %s: the table was not created by ferry", name)
	}
	if _, err := t.h.db.ExecContext(ctx, "DROP TABLE main."+quoteIdent(name)); err != nil {
		return fmt.Errorf("drop table %s: %w", name, err)
	}
	return nil
}

// targetCatalog lists the tables of schema main with their comments and
// columns in ordinal order.
const targetCatalog = `
SELECT t.table_name, coalesce(t.comment, ''), c.column_name, c.data_type,
       coalesce(c.comment, ''), c.is_nullable
FROM duckdb_tables() t
JOIN duckdb_columns() c ON c.table_oid = t.table_oid
WHERE NOT t.temporary AND t.schema_name = 'main' %s
ORDER BY t.table_name, c.column_index`

// Tables lists the tables of schema main: one catalog query, then one
// UNION ALL query for exact row counts. Column types are the MaxCompute
// types from the column comments (the DuckDB type when a table was made
// outside ferry).
func (t *Target) Tables(ctx context.Context) ([]provider.TargetTable, error) {
	tables, err := t.tables(ctx)
	if err != nil {
		return nil, err
	}
	infos := make([]provider.TableInfo, len(tables))
	for i, tb := range tables {
		infos[i] = provider.TableInfo{Schema: "main", Name: tb.Name}
	}
	counts, err := countRows(ctx, t.h, infos)
	if err != nil {
		return nil, err
	}
	for i := range tables {
		tables[i].Rows = counts[i]
	}
	return tables, nil
}

// tables reads the catalog (row counts left at -1).
func (t *Target) tables(ctx context.Context, only ...string) ([]provider.TargetTable, error) {
	q := fmt.Sprintf(targetCatalog, "")
	var args []any
	if len(only) == 1 {
		// One table (a load looking up its target): the whole catalog
		// of thousands of tables per load made an apply quadratic.
		q = fmt.Sprintf(targetCatalog, "AND t.table_name = ?")
		args = append(args, only[0])
	}
	rows, err := t.h.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read catalog: %w", err)
	}
	defer rows.Close()
	var out []provider.TargetTable
	for rows.Next() {
		var name, tableComment, col, duckType, comment string
		var nullable bool
		if err := rows.Scan(&name, &tableComment, &col, &duckType, &comment, &nullable); err != nil {
			return nil, fmt.Errorf("read catalog: %w", err)
		}
		if len(out) == 0 || out[len(out)-1].Name != name {
			out = append(out, provider.TargetTable{
				Name: name, Rows: -1, CreatedByFerry: strings.HasPrefix(tableComment, ferryMark),
			})
		}
		tb := &out[len(out)-1]
		c := provider.Column{Name: col, Type: duckType, Nullable: nullable}
		switch {
		case strings.HasPrefix(comment, partitionMark):
			c.Type = strings.TrimPrefix(comment, partitionMark)
			tb.PartitionColumns = append(tb.PartitionColumns, c)
			continue
		case comment != "":
			c.Type = comment
		}
		tb.Columns = append(tb.Columns, c)
	}
	return out, rows.Err()
}

// table returns one table's catalog entry, wrapping ErrNotFound.
func (t *Target) table(ctx context.Context, name string) (provider.TargetTable, error) {
	tables, err := t.tables(ctx, name)
	if err != nil {
		return provider.TargetTable{}, err
	}
	for _, tb := range tables {
		if tb.Name == name {
			return tb, nil
		}
	}
	return provider.TargetTable{}, fmt.Errorf("table %s: %w", name, provider.ErrNotFound)
}

// inTx runs the statements in one transaction.
func inTx(ctx context.Context, db *sql.DB, stmts []string) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return err
		}
	}
	return tx.Commit()
}
