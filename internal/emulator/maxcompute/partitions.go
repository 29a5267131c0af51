package maxcompute

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ferry-dev/ferry/provider/typemap"
)

// partitionKeyTypes are the types MaxCompute allows for partition keys.
var partitionKeyTypes = map[string]int{ // type → integer bits (0: a string type)
	typemap.MCString: 0, typemap.MCVarchar: 0, typemap.MCChar: 0,
	typemap.MCTinyint: 8, typemap.MCSmallint: 16, typemap.MCInt: 32, typemap.MCBigint: 64,
}

// checkPartitionKeys refuses partition keys of other types and more than
// six levels.
func checkPartitionKeys(cols []colMeta) error {
	if len(cols) > 6 {
		return &odpsError{code: "ODPS-0130071", kind: "[1,1] Semantic analysis exception",
			msg: fmt.Sprintf("a table has at most 6 partition levels, not %d", len(cols))}
	}
	for _, c := range cols {
		t, err := typemap.Options{ExtendedDecimalScale: true}.ParseMaxCompute(c.Type)
		if err != nil {
			return parseError(err)
		}
		if _, ok := partitionKeyTypes[t.Name]; !ok {
			return &odpsError{code: "ODPS-0130071", kind: "[1,1] Semantic analysis exception",
				msg: fmt.Sprintf("partition column %s: type %s is not allowed for a partition key", c.Name, t)}
		}
	}
	return nil
}

// specValue is one key of a static partition spec.
type specValue struct {
	column  string
	literal string // a DuckDB string literal of text
	text    string // the value as SHOW PARTITIONS prints it
}

// partitionSpec reads an optional PARTITION (k='v', ...) naming every
// partition key of the table; a partitioned table requires one.
func partitionSpec(ps *parser, tm *tableMeta) ([]specValue, error) {
	if !ps.accept("partition") {
		if len(tm.Partition) > 0 {
			return nil, &odpsError{code: "ODPS-0130071", kind: "[1,1] Semantic analysis exception",
				msg: fmt.Sprintf("table %s is partitioned; a static PARTITION (...) spec is required", tm.Name)}
		}
		return nil, nil
	}
	return readSpec(ps, tm)
}

// readSpec reads "(k='v', ...)" naming every partition key of the table in
// order. A value is a string or an integer literal; NULL is refused, as
// the service refuses it, and an integer key's value must be an integer
// of the key's width (written back in canonical form).
func readSpec(ps *parser, tm *tableMeta) ([]specValue, error) {
	if len(tm.Partition) == 0 {
		return nil, &odpsError{code: "ODPS-0130071", kind: "[1,1] Semantic analysis exception",
			msg: fmt.Sprintf("table %s is not partitioned", tm.Name)}
	}
	if err := ps.expect("("); err != nil {
		return nil, parseError(err)
	}
	var out []specValue
	for {
		k, err := ps.identifier()
		if err != nil {
			return nil, parseError(err)
		}
		if err := ps.expect("="); err != nil {
			return nil, &odpsError{code: "ODPS-0130071", kind: "[1,1] Semantic analysis exception",
				msg: "dynamic partitions are not supported by the emulator; give PARTITION (k='v')"}
		}
		neg := ps.accept("-")
		t := ps.peek()
		switch {
		case t.is("null"):
			return nil, &odpsError{code: "ODPS-0130071", kind: "[1,1] Semantic analysis exception",
				msg: fmt.Sprintf("partition value of %s cannot be NULL", k)}
		case t.kind == tokNumber || t.kind == tokString && !neg:
		default:
			return nil, parseError(fmt.Errorf("partition value expected near %q", t.text))
		}
		ps.pos++
		v := t.val
		if neg {
			v = "-" + v
		}
		out = append(out, specValue{column: k, text: v})
		if ps.accept(")") {
			break
		}
		if err := ps.expect(","); err != nil {
			return nil, parseError(err)
		}
	}
	if len(out) != len(tm.Partition) {
		return nil, &odpsError{code: "ODPS-0130071", kind: "[1,1] Semantic analysis exception",
			msg: fmt.Sprintf("partition spec of %s must name its %d partition keys", tm.Name, len(tm.Partition))}
	}
	for i := range out {
		sv := &out[i]
		if sv.column != tm.Partition[i].Name {
			return nil, &odpsError{code: "ODPS-0130071", kind: "[1,1] Semantic analysis exception",
				msg: fmt.Sprintf("partition key %s is not key %d of %s", sv.column, i+1, tm.Name)}
		}
		t, err := typemap.Options{ExtendedDecimalScale: true}.ParseMaxCompute(tm.Partition[i].Type)
		if err != nil {
			return nil, parseError(err)
		}
		if bits := partitionKeyTypes[t.Name]; bits > 0 {
			n, err := strconv.ParseInt(sv.text, 10, bits)
			if err != nil {
				return nil, &odpsError{code: "ODPS-0130071", kind: "[1,1] Semantic analysis exception",
					msg: fmt.Sprintf("invalid partition value %q for %s key %s", sv.text, t, sv.column)}
			}
			sv.text = strconv.FormatInt(n, 10)
		}
		sv.literal = duckString(sv.text)
	}
	return out, nil
}

// specWhere is the WHERE clause selecting a static partition.
func specWhere(spec []specValue) string {
	if len(spec) == 0 {
		return ""
	}
	conds := make([]string, len(spec))
	for i, sv := range spec {
		conds[i] = fmt.Sprintf("CAST(%s AS VARCHAR) = %s", duckIdent(sv.column), sv.literal)
	}
	return " WHERE " + strings.Join(conds, " AND ")
}

// specName is the partition as SHOW PARTITIONS prints it: "k=v/k2=v2".
func specName(spec []specValue) string {
	parts := make([]string, len(spec))
	for i, sv := range spec {
		parts[i] = sv.column + "=" + sv.text
	}
	return strings.Join(parts, "/")
}

// setPartitions is the statement storing a table's partition list.
func setPartitions(tm *tableMeta, partitions []string) string {
	slices.Sort(partitions)
	tm.Partitions = slices.Compact(partitions)
	b, _ := json.Marshal(tm)
	return fmt.Sprintf("COMMENT ON TABLE %s IS %s", duckIdent(tm.Name), duckString(string(b)))
}

// registerPartition is the statement recording that the partition exists.
func registerPartition(tm *tableMeta, spec []specValue) string {
	return setPartitions(tm, append(slices.Clone(tm.Partitions), specName(spec)))
}

// partitions lists the table's partitions: those created by a static LOAD
// or INSERT, and any holding rows, sorted.
func (p *project) partitions(ctx context.Context, tm *tableMeta) ([]string, error) {
	out := slices.Clone(tm.Partitions)
	exprs := make([]string, len(tm.Partition))
	for i, c := range tm.Partition {
		exprs[i] = fmt.Sprintf("%s || '=' || coalesce(CAST(%s AS VARCHAR), 'NULL')", duckString(c.Name), duckIdent(c.Name))
	}
	rows, err := p.db.QueryContext(ctx, fmt.Sprintf("SELECT DISTINCT %s FROM %s",
		strings.Join(exprs, " || '/' || "), duckIdent(tm.Name)))
	if err != nil {
		return nil, semantic(err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		out = append(out, name)
	}
	slices.Sort(out)
	return slices.Compact(out), rows.Err()
}

// show runs SHOW PARTITIONS t: one "k=v/k2=v2" line per partition, the
// service's plain-text result.
func (p *project) show(ctx context.Context, toks []token) (string, error) {
	ps := &parser{toks: toks}
	if err := ps.expect("show", "partitions"); err != nil {
		return "", &odpsError{code: "ODPS-0130161", kind: "[1,1] Parse exception",
			msg: "the emulator supports SHOW PARTITIONS <table> only"}
	}
	name, err := ps.tableName()
	if err != nil || !ps.done() {
		return "", parseError(fmt.Errorf("SHOW PARTITIONS takes one table name"))
	}
	tm, err := p.table(ctx, name)
	if err != nil {
		return "", err
	}
	if len(tm.Partition) == 0 {
		return "", &odpsError{code: "ODPS-0130071", kind: "[1,1] Semantic analysis exception",
			msg: fmt.Sprintf("table %s.%s is not a partitioned table", p.name, tm.Name)}
	}
	list, err := p.partitions(ctx, tm)
	if err != nil || len(list) == 0 {
		return "", err
	}
	return strings.Join(list, "\n") + "\n", nil
}

// alter runs ALTER TABLE t DROP [IF EXISTS] PARTITION (spec) [, PARTITION
// (spec) …]: the partitions' rows and the partitions go in one
// transaction. Without IF EXISTS a missing partition fails the statement.
func (p *project) alter(ctx context.Context, toks []token) error {
	ps := &parser{toks: toks}
	if err := ps.expect("alter", "table"); err != nil {
		return parseError(err)
	}
	name, err := ps.tableName()
	if err != nil {
		return parseError(err)
	}
	tm, err := p.table(ctx, name)
	if err != nil {
		return err
	}
	if !ps.accept("drop") {
		return &odpsError{code: "ODPS-0130161", kind: "[1,1] Parse exception",
			msg: "the emulator supports ALTER TABLE … DROP [IF EXISTS] PARTITION (…) only"}
	}
	ifExists := ps.accept("if", "exists")
	existing, err := p.partitions(ctx, tm)
	if err != nil {
		return err
	}
	var stmts []string
	for {
		if err := ps.expect("partition"); err != nil {
			return parseError(err)
		}
		spec, err := readSpec(ps, tm)
		if err != nil {
			return err
		}
		spelled := specName(spec)
		if !slices.Contains(existing, spelled) && !ifExists {
			return &odpsError{code: "ODPS-0130071", kind: "[1,1] Semantic analysis exception",
				msg: fmt.Sprintf("partition not found - %s", spelled)}
		}
		stmts = append(stmts, "DELETE FROM "+duckIdent(tm.Name)+specWhere(spec))
		existing = slices.DeleteFunc(existing, func(s string) bool { return s == spelled })
		tm.Partitions = slices.DeleteFunc(tm.Partitions, func(s string) bool { return s == spelled })
		if !ps.accept(",") {
			break
		}
	}
	if !ps.done() {
		return parseError(fmt.Errorf("unexpected %q after the partition specs", ps.peek().text))
	}
	stmts = append(stmts, setPartitions(tm, tm.Partitions))
	return semantic(p.inTx(ctx, stmts...))
}
