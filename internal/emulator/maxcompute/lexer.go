package maxcompute

import (
	"fmt"
	"strings"
)

// tokenKind classifies a MaxCompute SQL token.
type tokenKind int

const (
	tokWord   tokenKind = iota // keyword or bare identifier
	tokIdent                   // `backtick quoted` identifier
	tokString                  // 'single' or "double" quoted string literal
	tokNumber                  // numeric literal
	tokPunct                   // operator or punctuation
)

// token is one lexeme. space is the whitespace (and comments) before it,
// kept so that translated SQL stays readable; val is the unquoted value of
// identifiers and strings, the text itself otherwise.
type token struct {
	kind  tokenKind
	space string
	text  string
	val   string
}

// is reports whether the token is the keyword or punctuation w, ignoring
// case.
func (t token) is(w string) bool {
	return (t.kind == tokWord || t.kind == tokPunct) && strings.EqualFold(t.text, w)
}

// name is the identifier a word or backtick-quoted token spells, lower
// case, as MaxCompute folds names.
func (t token) name() string { return strings.ToLower(t.val) }

// operators are the multi-character operators, longest first.
var operators = []string{"<=>", "<=", ">=", "<>", "!=", "==", "||", "&&"}

// lex splits MaxCompute SQL into tokens. Strings take backslash escapes
// (\' \" \\ \n \t), as MaxCompute string literals do; a backtick inside a
// quoted identifier is doubled.
func lex(src string) ([]token, error) {
	var out []token
	i := 0
	for i < len(src) {
		start := i
		for i < len(src) {
			switch {
			case strings.ContainsRune(" \t\r\n", rune(src[i])):
				i++
				continue
			case strings.HasPrefix(src[i:], "--"):
				for i < len(src) && src[i] != '\n' {
					i++
				}
				continue
			case strings.HasPrefix(src[i:], "/*"):
				end := strings.Index(src[i+2:], "*/")
				if end < 0 {
					return nil, fmt.Errorf("unterminated comment")
				}
				i += end + 4
				continue
			}
			break
		}
		space := src[start:i]
		if i >= len(src) {
			break
		}
		t := token{space: space}
		c := src[i]
		switch {
		case c == '`':
			var b strings.Builder
			j := i + 1
			for {
				if j >= len(src) {
					return nil, fmt.Errorf("unterminated quoted identifier")
				}
				if src[j] == '`' {
					if j+1 < len(src) && src[j+1] == '`' {
						b.WriteByte('`')
						j += 2
						continue
					}
					break
				}
				b.WriteByte(src[j])
				j++
			}
			t.kind, t.text, t.val = tokIdent, src[i:j+1], b.String()
			i = j + 1
		case c == '\'' || c == '"':
			var b strings.Builder
			j := i + 1
			for {
				if j >= len(src) {
					return nil, fmt.Errorf("unterminated string literal")
				}
				if src[j] == '\\' && j+1 < len(src) {
					b.WriteString(unescape(src[j+1]))
					j += 2
					continue
				}
				if src[j] == c {
					break
				}
				b.WriteByte(src[j])
				j++
			}
			t.kind, t.text, t.val = tokString, src[i:j+1], b.String()
			i = j + 1
		case isDigit(c) || (c == '.' && i+1 < len(src) && isDigit(src[i+1])):
			j := i
			for j < len(src) && (isDigit(src[j]) || src[j] == '.' || isWordByte(src[j])) {
				j++
			}
			t.kind, t.text = tokNumber, src[i:j]
			i = j
		case isWordByte(c) || c >= 0x80:
			j := i
			for j < len(src) && (isWordByte(src[j]) || isDigit(src[j]) || src[j] >= 0x80) {
				j++
			}
			t.kind, t.text = tokWord, src[i:j]
			i = j
		default:
			t.kind, t.text = tokPunct, src[i:i+1]
			for _, op := range operators {
				if strings.HasPrefix(src[i:], op) {
					t.text = op
					break
				}
			}
			i += len(t.text)
		}
		if t.val == "" && t.kind != tokString && t.kind != tokIdent {
			t.val = t.text
		}
		out = append(out, t)
	}
	return out, nil
}

func isDigit(c byte) bool    { return c >= '0' && c <= '9' }
func isWordByte(c byte) bool { return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }

// unescape decodes the character after a backslash in a string literal.
func unescape(c byte) string {
	switch c {
	case 'n':
		return "\n"
	case 't':
		return "\t"
	case 'r':
		return "\r"
	case '0':
		return "\x00"
	}
	return string(c)
}

// splitStatements cuts a script at top-level semicolons, dropping empty
// statements.
func splitStatements(toks []token) [][]token {
	var out [][]token
	var cur []token
	for _, t := range toks {
		if t.is(";") {
			if len(cur) > 0 {
				out = append(out, cur)
			}
			cur = nil
			continue
		}
		cur = append(cur, t)
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// duckIdent quotes an identifier for DuckDB.
func duckIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// duckString quotes a string literal for DuckDB.
func duckString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// toDuck renders tokens as DuckDB SQL: backtick identifiers become
// double-quoted (lower case, as MaxCompute folds names), string literals
// become standard SQL strings, and a "<project>." qualifier is dropped,
// since each project is its own database.
func toDuck(toks []token, project string) string {
	var b strings.Builder
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if (t.kind == tokWord || t.kind == tokIdent) && strings.EqualFold(t.val, project) &&
			i+2 < len(toks) && toks[i+1].is(".") && toks[i+2].kind != tokPunct {
			b.WriteString(t.space)
			i++
			continue
		}
		b.WriteString(t.space)
		switch t.kind {
		case tokIdent:
			b.WriteString(duckIdent(t.name()))
		case tokString:
			b.WriteString(duckString(t.val))
		default:
			b.WriteString(t.text)
		}
	}
	return b.String()
}

// parser walks the tokens of one statement.
type parser struct {
	toks []token
	pos  int
}

func (p *parser) done() bool { return p.pos >= len(p.toks) }

func (p *parser) peek() token {
	if p.done() {
		return token{kind: tokPunct}
	}
	return p.toks[p.pos]
}

// accept consumes the keyword or punctuation sequence if it comes next.
func (p *parser) accept(words ...string) bool {
	for i, w := range words {
		if p.pos+i >= len(p.toks) || !p.toks[p.pos+i].is(w) {
			return false
		}
	}
	p.pos += len(words)
	return true
}

func (p *parser) expect(words ...string) error {
	if !p.accept(words...) {
		return fmt.Errorf("expected %s near %q", strings.Join(words, " "), p.peek().text)
	}
	return nil
}

// identifier reads a bare or quoted name.
func (p *parser) identifier() (string, error) {
	t := p.peek()
	if t.kind != tokWord && t.kind != tokIdent {
		return "", fmt.Errorf("expected a name near %q", t.text)
	}
	p.pos++
	return t.name(), nil
}

// tableName reads [project.]table and returns the table.
func (p *parser) tableName() (string, error) {
	name, err := p.identifier()
	if err != nil {
		return "", err
	}
	if p.accept(".") {
		return p.identifier()
	}
	return name, nil
}

// str reads a string literal.
func (p *parser) str() (string, error) {
	t := p.peek()
	if t.kind != tokString {
		return "", fmt.Errorf("expected a string literal near %q", t.text)
	}
	p.pos++
	return t.val, nil
}
