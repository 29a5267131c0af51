package local

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ferry-dev/ferry/provider"
)

// partitionKeyTypes are the types MaxCompute accepts for partition keys.
var partitionKeyTypes = map[string]bool{
	"STRING": true, "VARCHAR": true, "CHAR": true, "TINYINT": true, "SMALLINT": true, "INT": true, "BIGINT": true,
}

// checkPartitionKey fails unless t may be a partition key's type.
func checkPartitionKey(name string, t mcType) error {
	if !partitionKeyTypes[t.base] {
		return fmt.Errorf("partition column %s: type %s cannot be a partition key (STRING, VARCHAR, CHAR, TINYINT, SMALLINT, INT or BIGINT)", name, t)
	}
	return nil
}

// partitionLiteral converts a partition value, as decoded from its folder
// name, to a DuckDB constant of the key's type, checking it the way
// MaxCompute checks a static partition spec: integers must parse and fit,
// VARCHAR(n) and CHAR(n) values must fit n characters. A NULL key arrives
// as the text __HIVE_DEFAULT_PARTITION__, which is an ordinary string
// value here (as in MaxCompute) and not an integer.
func partitionLiteral(name string, t mcType, v string) (string, error) {
	bits := map[string]int{"TINYINT": 8, "SMALLINT": 16, "INT": 32, "BIGINT": 64}[t.base]
	if bits > 0 {
		n, err := strconv.ParseInt(v, 10, bits)
		if err != nil {
			return "", fmt.Errorf("partition column %s: value %q is not a %s", name, v, t)
		}
		return fmt.Sprintf("CAST(%d AS %s)", n, t.duckType()), nil
	}
	if n := t.maxLen(); n > 0 && utf8.RuneCountInString(v) > n {
		return "", fmt.Errorf("partition column %s: value %q is longer than %s", name, v, t)
	}
	return quoteString(v), nil
}

// loadPartitions replaces the table's contents with the partitions of
// the request, in one transaction: for each partition, DELETE its rows and
// INSERT the files of its folder with the key values as constants; then
// DELETE the rows of every partition not listed. A failure anywhere
// leaves the previous contents.
func (t *Target) loadPartitions(ctx context.Context, table provider.TargetTable, req provider.LoadRequest) (*provider.LoadResult, error) {
	if len(table.PartitionColumns) == 0 {
		return nil, fmt.Errorf("table %s is not partitioned, but the load lists partitions", table.Name)
	}
	keyTypes := make([]mcType, len(table.PartitionColumns))
	for i, p := range table.PartitionColumns {
		pt, err := parseMC(p.Type)
		if err != nil {
			return nil, fmt.Errorf("partition column %s: %w", p.Name, err)
		}
		if err := checkPartitionKey(p.Name, pt); err != nil {
			return nil, err
		}
		keyTypes[i] = pt
	}
	target := "main." + quoteIdent(table.Name)
	var stmts, tuples []string
	inserts := map[int]bool{} // indexes of the INSERT statements
	seen := map[string]bool{}
	for _, part := range req.Partitions {
		if len(part.Values) != len(table.PartitionColumns) {
			return nil, fmt.Errorf("partition %v: %d values for %d partition columns", part.Values, len(part.Values), len(table.PartitionColumns))
		}
		lits := make([]string, len(part.Values))
		conds := make([]string, len(part.Values))
		for i, v := range part.Values {
			lit, err := partitionLiteral(table.PartitionColumns[i].Name, keyTypes[i], v)
			if err != nil {
				return nil, err
			}
			lits[i] = lit
			conds[i] = fmt.Sprintf("%s = %s", quoteIdent(table.PartitionColumns[i].Name), lit)
		}
		tuple := "(" + strings.Join(lits, ", ") + ")"
		if seen[tuple] {
			return nil, fmt.Errorf("partition %v is listed twice", part.Values)
		}
		seen[tuple] = true
		tuples = append(tuples, tuple)
		stmts = append(stmts, "DELETE FROM "+target+" WHERE "+strings.Join(conds, " AND "))
		insert, err := t.partitionInsert(ctx, table, req.FileColumns, part, lits)
		if err != nil {
			return nil, err
		}
		if insert != "" {
			inserts[len(stmts)] = true
			stmts = append(stmts, insert)
		}
	}
	stale := "DELETE FROM " + target
	if len(tuples) > 0 {
		keys := make([]string, len(table.PartitionColumns))
		match := make([]string, len(table.PartitionColumns))
		for i, p := range table.PartitionColumns {
			keys[i] = quoteIdent(p.Name)
			match[i] = fmt.Sprintf("listed.%s = %s.%s", keys[i], target, keys[i])
		}
		stale += fmt.Sprintf(" WHERE NOT EXISTS (SELECT 1 FROM (VALUES %s) listed(%s) WHERE %s)",
			strings.Join(tuples, ", "), strings.Join(keys, ", "), strings.Join(match, " AND "))
	}
	stmts = append(stmts, stale)
	tx, err := t.h.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var rows int64
	for i, s := range stmts {
		r, err := tx.ExecContext(ctx, s)
		if err != nil {
			return nil, err
		}
		if inserts[i] {
			n, err := r.RowsAffected()
			if err != nil {
				return nil, err
			}
			rows += n
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return &provider.LoadResult{Rows: rows, Statements: stmts}, nil
}

// partitionInsert builds the INSERT of one partition's folder, or "" when
// the folder holds no file. Every file must be Parquet, carry no partition
// column and match the data columns as an unpartitioned load does.
func (t *Target) partitionInsert(ctx context.Context, table provider.TargetTable, fileCols []provider.Column,
	part provider.Partition, lits []string) (string, error) {
	dir, err := filePath(part.LocationURL)
	if err != nil {
		return "", fmt.Errorf("partition %v: %w", part.Values, err)
	}
	files, err := listFiles(dir)
	if err != nil {
		return "", err
	}
	if len(files) == 0 {
		return "", nil
	}
	for _, f := range files {
		if err := checkParquet(f); err != nil {
			return "", err
		}
	}
	schemas, err := t.parquetSchemas(ctx, files)
	if err != nil {
		return "", err
	}
	names, exprs, err := dataColumns(table, fileCols, files, schemas)
	if err != nil {
		return "", fmt.Errorf("partition %v: %w", part.Values, err)
	}
	for i, p := range table.PartitionColumns {
		names = append(names, quoteIdent(p.Name))
		exprs = append(exprs, lits[i]+" AS "+quoteIdent(p.Name))
	}
	return fmt.Sprintf("INSERT INTO main.%s (%s) SELECT %s FROM read_parquet(%s, union_by_name = true, hive_partitioning = false)",
		quoteIdent(table.Name), strings.Join(names, ", "), strings.Join(exprs, ", "), sqlList(files)), nil
}
