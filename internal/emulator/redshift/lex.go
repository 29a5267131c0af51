package redshift

import (
	"strings"
)

// tokenKind classifies a lexical token of Redshift SQL.
type tokenKind int

const (
	tokWord   tokenKind = iota // keyword or bare identifier, upper-cased in up
	tokIdent                   // "quoted identifier"
	tokString                  // 'string literal', unescaped in text
	tokNumber                  // 123 or 1.5
	tokPunct                   // ( ) , ; and any other single character
)

// token is one lexical token; depth is the parenthesis depth it sits at.
type token struct {
	kind  tokenKind
	text  string // literal value (unescaped for strings) or the raw text
	up    string // upper-cased text, for words
	depth int
}

// lexError is a lexing failure with its byte offset.
type lexError struct {
	msg string
	pos int
}

func (e *lexError) Error() string { return e.msg }

// lex splits sql into tokens, skipping blanks and comments. In string
// literals ” stands for ' and a backslash escapes the next character, as
// in Redshift (which follows PostgreSQL 8.0 here).
func lex(sql string) ([]token, error) {
	var toks []token
	depth := 0
	for i := 0; i < len(sql); {
		c := sql[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			i++
		case strings.HasPrefix(sql[i:], "--"):
			for i < len(sql) && sql[i] != '\n' {
				i++
			}
		case strings.HasPrefix(sql[i:], "/*"):
			end := strings.Index(sql[i+2:], "*/")
			if end < 0 {
				return nil, &lexError{"unterminated /* comment", i}
			}
			i += end + 4
		case c == '\'':
			s, n, err := lexString(sql[i:])
			if err != nil {
				return nil, &lexError{err.Error(), i}
			}
			toks = append(toks, token{kind: tokString, text: s, depth: depth})
			i += n
		case c == '"':
			var b strings.Builder
			j := i + 1
			for ; ; j++ {
				if j >= len(sql) {
					return nil, &lexError{"unterminated quoted identifier", i}
				}
				if sql[j] == '"' {
					if j+1 < len(sql) && sql[j+1] == '"' {
						b.WriteByte('"')
						j++
						continue
					}
					break
				}
				b.WriteByte(sql[j])
			}
			toks = append(toks, token{kind: tokIdent, text: b.String(), depth: depth})
			i = j + 1
		case isWordStart(c):
			j := i
			for j < len(sql) && (isWordStart(sql[j]) || isDigit(sql[j]) || sql[j] == '$') {
				j++
			}
			toks = append(toks, token{kind: tokWord, text: sql[i:j], up: strings.ToUpper(sql[i:j]), depth: depth})
			i = j
		case isDigit(c):
			j := i
			for j < len(sql) && (isDigit(sql[j]) || sql[j] == '.') {
				j++
			}
			toks = append(toks, token{kind: tokNumber, text: sql[i:j], depth: depth})
			i = j
		default:
			if c == ')' {
				depth--
			}
			toks = append(toks, token{kind: tokPunct, text: string(c), depth: depth})
			if c == '(' {
				depth++
			}
			i++
		}
	}
	return toks, nil
}

// lexString reads the string literal at the start of s and returns its
// value and length.
func lexString(s string) (string, int, error) {
	var b strings.Builder
	for j := 1; j < len(s); j++ {
		switch s[j] {
		case '\'':
			if j+1 < len(s) && s[j+1] == '\'' {
				b.WriteByte('\'')
				j++
				continue
			}
			return b.String(), j + 1, nil
		case '\\':
			if j+1 < len(s) {
				b.WriteByte(s[j+1])
				j++
				continue
			}
		}
		b.WriteByte(s[j])
	}
	return "", 0, &lexError{msg: "unterminated quoted string"}
}

func isWordStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// firstWord returns the first keyword of sql, upper-cased, skipping
// blanks and comments; "" when sql does not start with a word.
func firstWord(sql string) string {
	toks, err := lex(sql)
	if err != nil || len(toks) == 0 || toks[0].kind != tokWord {
		// A lexing error later in the text does not hide the first word.
		s := strings.TrimLeft(sql, " \t\r\n")
		end := strings.IndexFunc(s, func(r rune) bool { return !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') })
		if end < 0 {
			end = len(s)
		}
		return strings.ToUpper(s[:end])
	}
	return toks[0].up
}
