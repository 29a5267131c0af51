package verify

import (
	"fmt"
	"strings"
)

// Dialect builds the SQL one engine runs for verification. Checks are
// computed inside the engines and only their results travel, so everything
// that must agree across engines — the canonical text of values, row
// hashes — is expressed through a Dialect. Methods only build text; none
// of them talks to an engine.
type Dialect interface {
	// Name is the dialect's name as provider.Querier.Dialect reports it.
	Name() string
	// QuoteIdent quotes one identifier (a column or table name).
	QuoteIdent(name string) string
	// QuoteTable quotes a plain "schema.table" or "table" name part by part.
	QuoteTable(name string) string
	// Canonical returns an expression yielding the canonical text of expr,
	// a value of type t, or NULL when expr is NULL (see canonical.go).
	Canonical(expr string, t ColumnType) string
	// CanonicalFloat returns an expression yielding the canonical float text
	// of expr rounded to digits significant digits (at least 2).
	CanonicalFloat(expr string, digits int) string
	// Concat concatenates text expressions; the result is NULL when any
	// part is NULL.
	Concat(parts ...string) string
	// Text returns s as a string literal.
	Text(s string) string
	// Chr returns the one-character string with the given code point.
	Chr(code int) string
	// MD5 returns the lowercase hexadecimal MD5 of the UTF-8 text expr.
	MD5(expr string) string
	// Substr returns n characters of expr starting at position from
	// (1-based).
	Substr(expr string, from, n int) string
	// HexToInt converts a string of at most 15 hexadecimal digits to a
	// BIGINT.
	HexToInt(expr string) string
}

// DialectFor returns the dialect called name ("duckdb", "redshift" or
// "maxcompute"). An unknown name is an error, because guessing a dialect
// would produce SQL that fails far from the mistake.
func DialectFor(name string) (Dialect, error) {
	switch name {
	case "duckdb":
		return newDuckDB(), nil
	case "redshift":
		return newRedshift(), nil
	case "maxcompute":
		return newMaxCompute(), nil
	}
	return nil, fmt.Errorf("verify: unknown SQL dialect %q (want duckdb, redshift or maxcompute)", name)
}

// dialect is the one implementation of Dialect; the engines differ only in
// the functions and spellings set by newDuckDB, newRedshift and
// newMaxCompute (engines.go).
type dialect struct {
	name string
	// quote is the identifier quote character.
	quote string
	// textType is the type name numbers are cast to for their text.
	textType string
	// concatFunc spells concatenation as CONCAT(a, b, …) instead of ||.
	concatFunc bool
	// backslashEscapes tells whether string literals treat "\" as an
	// escape character.
	backslashEscapes bool
	// substr is the substring function name.
	substr string

	date      func(x string) string
	timestamp func(x string) string
	binary    func(x string) string
	log10     func(x string) string
	hexToInt  func(x string) string
}

var _ Dialect = (*dialect)(nil)

func (d *dialect) Name() string { return d.name }

func (d *dialect) QuoteIdent(name string) string {
	if e, ok := strings.CutPrefix(name, exprMarker); ok {
		return e
	}
	return d.quote + strings.ReplaceAll(name, d.quote, d.quote+d.quote) + d.quote
}

func (d *dialect) QuoteTable(name string) string {
	parts := strings.Split(name, ".")
	for i, p := range parts {
		parts[i] = d.QuoteIdent(p)
	}
	return strings.Join(parts, ".")
}

func (d *dialect) Text(s string) string {
	s = strings.ReplaceAll(s, "'", "''")
	if d.backslashEscapes {
		s = strings.ReplaceAll(s, `\`, `\\`)
	}
	return "'" + s + "'"
}

func (d *dialect) Chr(code int) string { return fmt.Sprintf("CHR(%d)", code) }

func (d *dialect) MD5(expr string) string { return "MD5(" + expr + ")" }

func (d *dialect) Substr(expr string, from, n int) string {
	return fmt.Sprintf("%s(%s, %d, %d)", d.substr, expr, from, n)
}

func (d *dialect) HexToInt(expr string) string { return d.hexToInt(expr) }

func (d *dialect) Concat(parts ...string) string {
	if len(parts) == 1 {
		return parts[0]
	}
	if d.concatFunc {
		return "CONCAT(" + strings.Join(parts, ", ") + ")"
	}
	return "(" + strings.Join(parts, " || ") + ")"
}

// cast returns expr cast to the engine's text type.
func (d *dialect) cast(expr string) string {
	return "CAST(" + expr + " AS " + d.textType + ")"
}

func (d *dialect) Canonical(expr string, t ColumnType) string {
	switch t.Family {
	case Integer:
		return d.cast(expr)
	case Decimal:
		return d.cast(fmt.Sprintf("CAST(%s AS DECIMAL(38,%d))", expr, t.Scale))
	case Float:
		return d.CanonicalFloat(expr, FloatDigits)
	case Bool:
		expr = "(" + expr + ")"
		return fmt.Sprintf("CASE WHEN %s IS NULL THEN NULL WHEN %s THEN %s ELSE %s END",
			expr, expr, d.Text("true"), d.Text("false"))
	case String:
		return expr
	case Char:
		return "RTRIM(" + expr + ")"
	case Date:
		return d.date(expr)
	case Timestamp:
		return d.timestamp(expr)
	case Binary:
		return d.binary(expr)
	}
	return d.cast(expr)
}

// CanonicalFloat rounds through the decimal exponent: e = floor(log10|x|),
// mantissa = round(x / 10^e, digits-1). The mantissa is rounded as a
// DECIMAL(38,18), so the rounding is decimal (half away from zero) in
// every engine rather than each engine's float ROUND, which PostgreSQL
// lacks and whose ties differ between engines; scale 18 is MaxCompute's
// largest without extended decimal scale. When a logarithm lands just below
// a power of ten the rounded mantissa reaches 10; that case is spelled
// directly as ±1.000…e(e+1), so engines whose logarithms differ in the last
// bit still agree on the text.
func (d *dialect) CanonicalFloat(expr string, digits int) string {
	if digits < 2 {
		digits = 2
	}
	expr = "(" + expr + ")"
	exp := fmt.Sprintf("FLOOR(%s)", d.log10(fmt.Sprintf("ABS(%s)", expr)))
	mant := fmt.Sprintf("ROUND(CAST(%s / POWER(10, %s) AS DECIMAL(38,18)), %d)", expr, exp, digits-1)
	one := "1." + strings.Repeat("0", digits-1)
	return fmt.Sprintf("CASE WHEN %s IS NULL THEN NULL WHEN %s = 0 THEN %s "+
		"WHEN ABS(%s) >= 10 THEN %s "+
		"ELSE %s END",
		expr, expr, d.Text("0"),
		mant, d.Concat(
			fmt.Sprintf("CASE WHEN %s < 0 THEN %s ELSE %s END", expr, d.Text("-"+one), d.Text(one)),
			d.Text("e"),
			d.cast(fmt.Sprintf("CAST(%s + 1 AS BIGINT)", exp))),
		d.Concat(
			d.cast(fmt.Sprintf("CAST(%s AS DECIMAL(%d,%d))", mant, digits+2, digits-1)),
			d.Text("e"),
			d.cast(fmt.Sprintf("CAST(%s AS BIGINT)", exp))))
}

// exprMarker starts a column "name" that is really an SQL expression.
const exprMarker = "\x00expr:"

// Expr marks an SQL expression to stand where a column name goes (the
// dialects then use it as written instead of quoting it): for a source
// column that the unload transformed, such as CAST("t" AS VARCHAR) for a
// TIME column, so that both sides compare the same values.
func Expr(sql string) string { return exprMarker + sql }
