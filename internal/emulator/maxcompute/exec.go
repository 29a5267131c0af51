package maxcompute

import (
	"context"
	"fmt"
	"maps"
	"strconv"
	"strings"

	"github.com/ferry-dev/ferry/provider/typemap"
)

// session is the state one SQL task runs with.
type session struct {
	settings map[string]string
	loc      LocationReader
}

// flag reports whether a boolean setting is "true".
func (s *session) flag(name string) bool { return strings.EqualFold(s.settings[name], "true") }

// run executes a script and returns the task result: the CSV of the last
// SELECT, or "OK".
func (p *project) run(ctx context.Context, script string, settings map[string]string, loc LocationReader) (string, error) {
	toks, err := lex(script)
	if err != nil {
		return "", &odpsError{code: "ODPS-0130161", kind: "[1,1] Parse exception", msg: err.Error()}
	}
	s := &session{settings: maps.Clone(p.settings), loc: loc}
	if s.settings == nil {
		s.settings = map[string]string{}
	}
	maps.Copy(s.settings, settings)
	p.mu.Lock()
	defer p.mu.Unlock()
	result := "OK"
	for _, stmt := range splitStatements(toks) {
		out, err := p.statement(ctx, s, stmt)
		if err != nil {
			return "", err
		}
		if out != "" || stmt[0].is("show") {
			result = out
		}
	}
	return result, nil
}

// statement runs one statement.
func (p *project) statement(ctx context.Context, s *session, toks []token) (string, error) {
	first := toks[0]
	switch {
	case first.is("set"):
		text := strings.TrimSpace(toDuck(toks[1:], ""))
		k, v, ok := strings.Cut(text, "=")
		if !ok {
			return "", &odpsError{code: "ODPS-0130161", kind: "[1,1] Parse exception", msg: "SET needs key=value"}
		}
		s.settings[strings.ReplaceAll(strings.TrimSpace(k), " ", "")] = strings.TrimSpace(v)
		return "", nil
	case first.is("create"):
		return "", p.create(ctx, s, toks)
	case first.is("drop"):
		return "", p.drop(ctx, toks)
	case first.is("insert"):
		return "", p.insert(ctx, toks)
	case first.is("load"):
		return "", p.load(ctx, s, toks)
	case first.is("show"):
		return p.show(ctx, toks)
	case first.is("alter"):
		return "", p.alter(ctx, toks)
	case first.is("select") || first.is("with") || first.is("("):
		return p.query(ctx, s, toDuck(toks, p.name))
	}
	return "", &odpsError{code: "ODPS-0130161", kind: "[1,1] Parse exception",
		msg: fmt.Sprintf("statement %q is not supported by the emulator", strings.ToUpper(first.text))}
}

// odps1Refused are the 2.0 types that need odps.sql.type.system.odps2;
// INT is not among them because without the flag it silently becomes
// BIGINT.
var odps1Refused = map[string]bool{
	typemap.MCTinyint: true, typemap.MCSmallint: true, typemap.MCFloat: true, typemap.MCVarchar: true,
	typemap.MCChar: true, typemap.MCDate: true, typemap.MCTimestamp: true, typemap.MCTimestampNTZ: true,
	typemap.MCBinary: true, typemap.MCArray: true, typemap.MCMap: true, typemap.MCStruct: true, typemap.MCJSON: true,
}

// create runs CREATE TABLE [IF NOT EXISTS] name (cols) [COMMENT 'c']
// [PARTITIONED BY (cols)] [LIFECYCLE n]. With IF NOT EXISTS an existing
// table is left as it is and the statement succeeds, whatever its schema.
func (p *project) create(ctx context.Context, s *session, toks []token) error {
	ps := &parser{toks: toks}
	if err := ps.expect("create", "table"); err != nil {
		return parseError(err)
	}
	ifNotExists := ps.accept("if", "not", "exists")
	name, err := ps.tableName()
	if err != nil {
		return parseError(err)
	}
	tm := tableMeta{Name: name}
	if tm.Columns, err = p.columnList(ps, s, false); err != nil {
		return err
	}
	for !ps.done() {
		switch {
		case ps.accept("comment"):
			if tm.Comment, err = ps.str(); err != nil {
				return parseError(err)
			}
		case ps.accept("partitioned", "by"):
			if tm.Partition, err = p.columnList(ps, s, true); err != nil {
				return err
			}
			if err := checkPartitionKeys(tm.Partition); err != nil {
				return err
			}
		case ps.accept("lifecycle"):
			n, err := strconv.Atoi(ps.peek().text)
			if err != nil || n <= 0 {
				return parseError(fmt.Errorf("LIFECYCLE needs a positive number of days"))
			}
			ps.pos++
			tm.Lifecycle = n
		default:
			return parseError(fmt.Errorf("unsupported clause near %q", ps.peek().text))
		}
	}
	if _, err := p.table(ctx, name); err == nil {
		if ifNotExists {
			return nil
		}
		return &odpsError{code: "ODPS-0130071", kind: "[1,14] Semantic analysis exception",
			msg: fmt.Sprintf("table or view already exists - %s.%s", p.name, name)}
	}
	return semantic(p.createTable(ctx, tm))
}

// columnList reads "(name type [NOT NULL] [COMMENT 'c'], ...)", applying
// the type system in force: without odps.sql.type.system.odps2, INT
// becomes BIGINT and the other 2.0 types are refused.
func (p *project) columnList(ps *parser, s *session, partition bool) ([]colMeta, error) {
	if err := ps.expect("("); err != nil {
		return nil, parseError(err)
	}
	var cols []colMeta
	for {
		name, err := ps.identifier()
		if err != nil {
			return nil, parseError(err)
		}
		var typ strings.Builder
		depth := 0
		for !ps.done() {
			t := ps.peek()
			if depth == 0 && (t.is(",") || t.is(")") || t.is("not") || t.is("comment") || t.is("default")) {
				break
			}
			switch {
			case t.is("(") || t.is("<"):
				depth++
			case t.is(")") || t.is(">"):
				depth--
			}
			typ.WriteString(t.text)
			ps.pos++
		}
		mt, err := typemap.Options{ExtendedDecimalScale: s.flag("odps.sql.decimal2.extended.scale.enable")}.ParseMaxCompute(typ.String())
		if err != nil {
			return nil, &odpsError{code: "ODPS-0130161", kind: "[1,1] Parse exception", msg: fmt.Sprintf("column %s: %v", name, err)}
		}
		if !s.flag("odps.sql.type.system.odps2") {
			if mt.Name == typemap.MCInt {
				mt = typemap.MCType{Name: typemap.MCBigint}
			}
			if odps1Refused[mt.Name] {
				return nil, &odpsError{code: "ODPS-0130071", kind: "[1,1] Semantic analysis exception",
					msg: fmt.Sprintf("column %s: type %s is a 2.0 type; set odps.sql.type.system.odps2=true to use it", name, mt)}
			}
		}
		c := colMeta{Name: name, Type: mt.String(), Partition: partition}
		if ps.accept("not", "null") {
			c.NotNull = true
		}
		if ps.accept("comment") {
			if c.Comment, err = ps.str(); err != nil {
				return nil, parseError(err)
			}
		}
		cols = append(cols, c)
		if ps.accept(")") {
			return cols, nil
		}
		if err := ps.expect(","); err != nil {
			return nil, parseError(err)
		}
	}
}

// drop runs DROP TABLE [IF EXISTS] name.
func (p *project) drop(ctx context.Context, toks []token) error {
	ps := &parser{toks: toks}
	if err := ps.expect("drop", "table"); err != nil {
		return parseError(err)
	}
	ifExists := ps.accept("if", "exists")
	name, err := ps.tableName()
	if err != nil {
		return parseError(err)
	}
	if _, err := p.table(ctx, name); err != nil {
		if ifExists {
			return nil
		}
		return err
	}
	_, err = p.db.ExecContext(ctx, "DROP TABLE "+duckIdent(name))
	return semantic(err)
}

// insert runs INSERT {INTO|OVERWRITE} [TABLE] name [PARTITION (k='v', ...)]
// followed by a SELECT or VALUES. OVERWRITE replaces the table, or the
// named partition, in the same transaction as the insert.
func (p *project) insert(ctx context.Context, toks []token) error {
	ps := &parser{toks: toks}
	if err := ps.expect("insert"); err != nil {
		return parseError(err)
	}
	overwrite := ps.accept("overwrite")
	if !overwrite {
		if err := ps.expect("into"); err != nil {
			return parseError(err)
		}
	}
	ps.accept("table")
	name, err := ps.tableName()
	if err != nil {
		return parseError(err)
	}
	tm, err := p.table(ctx, name)
	if err != nil {
		return err
	}
	spec, err := partitionSpec(ps, tm)
	if err != nil {
		return err
	}
	body := toDuck(ps.toks[ps.pos:], p.name)
	if len(spec) > 0 {
		consts := make([]string, len(spec))
		for i, sv := range spec {
			consts[i] = sv.literal
		}
		body = fmt.Sprintf("SELECT __src.*, %s FROM (%s) __src", strings.Join(consts, ", "), body)
	}
	var stmts []string
	if overwrite {
		stmts = append(stmts, "DELETE FROM "+duckIdent(name)+specWhere(spec))
	}
	stmts = append(stmts, "INSERT INTO "+duckIdent(name)+" "+body)
	if len(spec) > 0 {
		stmts = append(stmts, registerPartition(tm, spec))
	}
	return semantic(p.inTx(ctx, stmts...))
}

// parseError reports a statement the emulator's parser rejects.
func parseError(err error) error {
	return &odpsError{code: "ODPS-0130161", kind: "[1,1] Parse exception", msg: err.Error()}
}
