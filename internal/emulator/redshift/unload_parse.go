package redshift

import (
	"fmt"
	"strconv"
	"strings"
)

// Unload is a parsed UNLOAD statement.
type Unload struct {
	// Select is the inner query, unescaped.
	Select string
	// Bucket and Prefix split the TO 's3://bucket/prefix' location.
	Bucket, Prefix string
	// Auth names the authorization used: "IAM_ROLE", "ACCESS_KEY_ID" or
	// "CREDENTIALS" (its values are not kept).
	Auth           string
	Format         string // "PARQUET", "CSV", "JSON" or "TEXT"
	Manifest       bool
	Verbose        bool
	Header         bool
	AllowOverwrite bool
	CleanPath      bool
	Parallel       bool
	// MaxFileSize is in megabytes (0: the 6.2 GB default).
	MaxFileSize float64
	// PartitionBy lists the PARTITION BY columns, lower-cased as Redshift
	// folds identifiers; Include is PARTITION BY's INCLUDE.
	PartitionBy []string
	Include     bool
	// Options lists every option keyword given, upper-cased.
	Options []string
}

// sqlError is an error the front reports to the client with a SQLSTATE.
type sqlError struct {
	Code, Message string
}

func (e *sqlError) Error() string { return e.Message + " (SQLSTATE " + e.Code + ")" }

func syntaxError(format string, args ...any) *sqlError {
	return &sqlError{Code: "42601", Message: fmt.Sprintf(format, args...)}
}

// parquetConflicts are the options Redshift refuses with FORMAT PARQUET.
var parquetConflicts = []string{"DELIMITER", "FIXEDWIDTH", "ADDQUOTES", "ESCAPE", "NULL", "HEADER", "GZIP", "BZIP2", "ZSTD"}

// ParseUnload parses an UNLOAD statement and checks it the way Redshift
// does before running anything. Errors carry a SQLSTATE.
func ParseUnload(sql string) (*Unload, error) {
	toks, err := lex(sql)
	if err != nil {
		return nil, syntaxError("%v", err)
	}
	p := &parser{toks: toks}
	u := &Unload{Parallel: true}
	if !p.word("UNLOAD") || !p.punct("(") {
		return nil, syntaxError("syntax error at or near %q: expected UNLOAD ('select-statement')", p.peekText())
	}
	sel, ok := p.str()
	if !ok || !p.punct(")") {
		return nil, syntaxError("syntax error at or near %q: the query must be one quoted string", p.peekText())
	}
	u.Select = sel
	if !p.word("TO") {
		return nil, syntaxError("syntax error at or near %q: expected TO 's3://…'", p.peekText())
	}
	to, ok := p.str()
	if !ok {
		return nil, syntaxError("syntax error at or near %q: expected the S3 path as a string", p.peekText())
	}
	rest, found := strings.CutPrefix(to, "s3://")
	bucket, prefix, _ := strings.Cut(rest, "/")
	if !found || bucket == "" {
		return nil, &sqlError{Code: "22023", Message: fmt.Sprintf("invalid S3 path %q: it must start with s3://bucket/", to)}
	}
	u.Bucket, u.Prefix = bucket, prefix
	if err := p.options(u); err != nil {
		return nil, err
	}
	if err := u.check(); err != nil {
		return nil, err
	}
	return u, nil
}

// options reads authorization and options up to the end of the statement.
func (p *parser) options(u *Unload) error {
	for !p.done() {
		if p.punct(";") {
			if !p.done() {
				return syntaxError("only one statement is allowed after UNLOAD")
			}
			break
		}
		t := p.next()
		if t.kind != tokWord {
			return syntaxError("syntax error at or near %q", t.text)
		}
		kw := t.up
		u.Options = append(u.Options, kw)
		var err error
		switch kw {
		case "IAM_ROLE":
			if !p.word("DEFAULT") {
				_, err = p.need(kw)
			}
			err = u.setAuth(kw, err)
		case "ACCESS_KEY_ID":
			if _, err = p.need(kw); err == nil && p.word("SECRET_ACCESS_KEY") {
				_, err = p.need("SECRET_ACCESS_KEY")
				if err == nil && p.word("SESSION_TOKEN") {
					_, err = p.need("SESSION_TOKEN")
				}
			} else if err == nil {
				err = syntaxError("ACCESS_KEY_ID needs SECRET_ACCESS_KEY")
			}
			err = u.setAuth(kw, err)
		case "WITH", "CREDENTIALS":
			if kw == "WITH" && !p.word("CREDENTIALS") {
				return syntaxError("syntax error at or near %q", p.peekText())
			}
			p.word("AS")
			_, err = p.need("CREDENTIALS")
			err = u.setAuth("CREDENTIALS", err)
		case "FORMAT":
			p.word("AS")
			f := p.next()
			switch f.up {
			case "PARQUET", "CSV", "JSON":
				u.Format = f.up
			default:
				return syntaxError("syntax error at or near %q: FORMAT takes CSV, PARQUET or JSON", f.text)
			}
		case "PARQUET", "CSV", "JSON":
			u.Format = kw
		case "MANIFEST":
			u.Manifest = true
			u.Verbose = p.word("VERBOSE")
		case "HEADER":
			u.Header = true
		case "ALLOWOVERWRITE":
			u.AllowOverwrite = true
		case "CLEANPATH":
			u.CleanPath = true
		case "PARALLEL":
			switch {
			case p.word("OFF"), p.word("FALSE"):
				u.Parallel = false
			default:
				_ = p.word("ON") || p.word("TRUE")
			}
		case "MAXFILESIZE", "ROWGROUPSIZE":
			var mb float64
			if mb, err = p.size(kw); err == nil && kw == "MAXFILESIZE" {
				u.MaxFileSize = mb
			}
		case "DELIMITER", "FIXEDWIDTH", "NULL":
			p.word("AS")
			_, err = p.need(kw)
		case "REGION", "KMS_KEY_ID", "MASTER_SYMMETRIC_KEY", "EXTENSION", "ENCRYPTED":
			// Valid Redshift, but this front does not implement them, and
			// an option that silently did nothing would hide a difference.
			return &sqlError{Code: "0A000", Message: fmt.Sprintf("UNLOAD option %s is not implemented by this Redshift emulator", kw)}
		case "ADDQUOTES", "ESCAPE", "GZIP", "BZIP2", "ZSTD":
		case "PARTITION":
			err = p.partitionBy(u)
		default:
			return syntaxError("syntax error at or near %q", t.text)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// partitionBy reads "BY (col, …) [INCLUDE]" after PARTITION.
func (p *parser) partitionBy(u *Unload) error {
	if len(u.PartitionBy) > 0 {
		return syntaxError("PARTITION BY is given twice")
	}
	if !p.word("BY") || !p.punct("(") {
		return syntaxError("syntax error at or near %q: expected PARTITION BY (column, …)", p.peekText())
	}
	for {
		t := p.next()
		switch t.kind {
		case tokWord, tokIdent:
			u.PartitionBy = append(u.PartitionBy, strings.ToLower(t.text))
		case tokString:
			return &sqlError{Code: "0A000", Message: "string literals are not allowed as PARTITION BY columns"}
		default:
			return syntaxError("syntax error at or near %q: expected a partition column", t.text)
		}
		if p.punct(")") {
			break
		}
		if !p.punct(",") {
			return syntaxError("syntax error at or near %q: expected , or ) in PARTITION BY", p.peekText())
		}
	}
	u.Include = p.word("INCLUDE")
	return nil
}

// setAuth records the authorization, refusing a second one.
func (u *Unload) setAuth(kind string, err error) error {
	if err != nil {
		return err
	}
	if u.Auth != "" {
		return syntaxError("conflicting or redundant authorization options (%s and %s)", u.Auth, kind)
	}
	u.Auth = kind
	return nil
}

// check applies Redshift's cross-option rules and the outer LIMIT rule.
func (u *Unload) check() error {
	if u.Auth == "" {
		return &sqlError{Code: "28000", Message: "UNLOAD requires authorization: IAM_ROLE, ACCESS_KEY_ID/SECRET_ACCESS_KEY or CREDENTIALS"}
	}
	if u.Format == "" {
		u.Format = "TEXT"
	}
	if u.Format == "PARQUET" {
		for _, o := range u.Options {
			for _, c := range parquetConflicts {
				if o == c {
					return &sqlError{Code: "0A000", Message: fmt.Sprintf("%s is not supported with PARQUET", o)}
				}
			}
		}
	}
	if u.AllowOverwrite && u.CleanPath {
		return &sqlError{Code: "22023", Message: "ALLOWOVERWRITE and CLEANPATH cannot be used together"}
	}
	if u.MaxFileSize != 0 && (u.MaxFileSize < 5 || u.MaxFileSize > 6.2*1024) {
		return &sqlError{Code: "22023", Message: "MAXFILESIZE must be between 5 MB and 6.2 GB"}
	}
	toks, err := lex(u.Select)
	if err != nil {
		return syntaxError("in the UNLOAD query: %v", err)
	}
	if len(toks) == 0 || (toks[0].up != "SELECT" && toks[0].up != "WITH" && toks[0].text != "(") {
		return syntaxError("the UNLOAD query must be a SELECT statement")
	}
	for _, t := range toks {
		if t.depth == 0 && t.up == "LIMIT" {
			return &sqlError{Code: "0A000", Message: "Limit clause is not supported in the outermost select of UNLOAD; use a subquery"}
		}
	}
	if u.Format != "PARQUET" {
		return &sqlError{Code: "0A000", Message: fmt.Sprintf("FORMAT %s is not supported by this Redshift emulator (PARQUET only)", u.Format)}
	}
	return nil
}

// parser walks a token list.
type parser struct {
	toks []token
	i    int
}

func (p *parser) done() bool { return p.i >= len(p.toks) }

func (p *parser) next() token {
	if p.done() {
		return token{}
	}
	p.i++
	return p.toks[p.i-1]
}

func (p *parser) peekText() string {
	if p.done() {
		return "end of input"
	}
	return p.toks[p.i].text
}

// word consumes the keyword kw if it comes next.
func (p *parser) word(kw string) bool {
	if !p.done() && p.toks[p.i].kind == tokWord && p.toks[p.i].up == kw {
		p.i++
		return true
	}
	return false
}

// punct consumes the punctuation c if it comes next.
func (p *parser) punct(c string) bool {
	if !p.done() && p.toks[p.i].kind == tokPunct && p.toks[p.i].text == c {
		p.i++
		return true
	}
	return false
}

// str consumes a string literal.
func (p *parser) str() (string, bool) {
	if !p.done() && p.toks[p.i].kind == tokString {
		p.i++
		return p.toks[p.i-1].text, true
	}
	return "", false
}

// need consumes the string literal an option requires.
func (p *parser) need(option string) (string, error) {
	s, ok := p.str()
	if !ok {
		return "", syntaxError("syntax error at or near %q: %s needs a quoted value", p.peekText(), option)
	}
	return s, nil
}

// size reads "[AS] n [MB | GB]" as megabytes.
func (p *parser) size(option string) (float64, error) {
	p.word("AS")
	t := p.next()
	n, err := strconv.ParseFloat(t.text, 64)
	if t.kind != tokNumber || err != nil {
		return 0, syntaxError("syntax error at or near %q: %s needs a number", t.text, option)
	}
	switch {
	case p.word("GB"):
		n *= 1024
	default:
		p.word("MB")
	}
	return n, nil
}
