package typemap

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Canonical Redshift type names, as RedshiftType.Base holds them.
const (
	RedshiftSmallint       = "SMALLINT"
	RedshiftInteger        = "INTEGER"
	RedshiftBigint         = "BIGINT"
	RedshiftDecimal        = "DECIMAL"
	RedshiftReal           = "REAL"
	RedshiftDouble         = "DOUBLE PRECISION"
	RedshiftBoolean        = "BOOLEAN"
	RedshiftChar           = "CHAR"
	RedshiftVarchar        = "VARCHAR"
	RedshiftDate           = "DATE"
	RedshiftTimestamp      = "TIMESTAMP"
	RedshiftTimestamptz    = "TIMESTAMPTZ"
	RedshiftTime           = "TIME"
	RedshiftTimetz         = "TIMETZ"
	RedshiftSuper          = "SUPER"
	RedshiftVarbyte        = "VARBYTE"
	RedshiftGeometry       = "GEOMETRY"
	RedshiftGeography      = "GEOGRAPHY"
	RedshiftHLLSketch      = "HLLSKETCH"
	RedshiftIntervalYM     = "INTERVAL YEAR TO MONTH"
	RedshiftIntervalDS     = "INTERVAL DAY TO SECOND"
	redshiftMaxPrecision   = 38
	redshiftMaxScale       = 37
	redshiftDefaultPrec    = 18
	redshiftMaxCharLen     = 4096
	redshiftMaxVarcharLen  = 65535
	redshiftMaxVarbyteLen  = 16777216
	redshiftDefaultVarbyte = 64000
)

// RedshiftType is a Redshift column type in canonical form. Precision and
// Scale are set for DECIMAL only, Length for CHAR, VARCHAR and VARBYTE only
// (in bytes, as Redshift counts them), so two spellings of one type compare
// equal with ==.
type RedshiftType struct {
	Base      string
	Precision int
	Scale     int
	Length    int
}

// String renders the type as canonical Redshift DDL, for example
// DECIMAL(15,2), VARCHAR(44) or INTEGER. ParseRedshift reads it back to the
// same value.
func (t RedshiftType) String() string {
	switch t.Base {
	case RedshiftDecimal:
		return fmt.Sprintf("DECIMAL(%d,%d)", t.Precision, t.Scale)
	case RedshiftChar, RedshiftVarchar, RedshiftVarbyte:
		return fmt.Sprintf("%s(%d)", t.Base, t.Length)
	}
	return t.Base
}

// ErrUnsupported is matched by errors.Is for every error that says a type
// exists but cannot be migrated, as opposed to a type that is misspelled.
var ErrUnsupported = errors.New("type cannot be migrated")

// UnsupportedError reports a Redshift type that ferry does not migrate:
// Postgres system types such as "char" and spellings it does not know.
// The catalog may produce such spellings for types added after this
// package was written; refusing them is safer than guessing.
type UnsupportedError struct {
	Type   string // the spelling as given
	Reason string // what to do instead
}

// Error names the type as given and what to do instead.
func (e *UnsupportedError) Error() string {
	name := e.Type
	if !strings.HasPrefix(name, `"`) {
		name = strconv.Quote(name)
	}
	return fmt.Sprintf("unsupported Redshift type %s: %s", name, e.Reason)
}

// Is makes errors.Is(err, ErrUnsupported) true.
func (e *UnsupportedError) Is(target error) bool { return target == ErrUnsupported }

// argKind says which arguments a Redshift type name takes.
type argKind int

const (
	argNone    argKind = iota
	argLength          // one optional length, or MAX
	argDecimal         // optional precision and scale
	argFloat           // FLOAT(p): REAL up to 24, DOUBLE PRECISION above
)

type redshiftSpelling struct {
	base      string
	args      argKind
	defLength int
	maxLength int
}

// redshiftSpellings lists every spelling, as catalogs print it and as DDL
// accepts it, after normalize.
var redshiftSpellings = map[string]redshiftSpelling{
	"smallint":                    {base: RedshiftSmallint},
	"int2":                        {base: RedshiftSmallint},
	"integer":                     {base: RedshiftInteger},
	"int":                         {base: RedshiftInteger},
	"int4":                        {base: RedshiftInteger},
	"bigint":                      {base: RedshiftBigint},
	"int8":                        {base: RedshiftBigint},
	"numeric":                     {base: RedshiftDecimal, args: argDecimal},
	"decimal":                     {base: RedshiftDecimal, args: argDecimal},
	"real":                        {base: RedshiftReal},
	"float4":                      {base: RedshiftReal},
	"double precision":            {base: RedshiftDouble},
	"float8":                      {base: RedshiftDouble},
	"float":                       {base: RedshiftDouble, args: argFloat},
	"boolean":                     {base: RedshiftBoolean},
	"bool":                        {base: RedshiftBoolean},
	"character":                   {base: RedshiftChar, args: argLength, defLength: 1, maxLength: redshiftMaxCharLen},
	"char":                        {base: RedshiftChar, args: argLength, defLength: 1, maxLength: redshiftMaxCharLen},
	"nchar":                       {base: RedshiftChar, args: argLength, defLength: 1, maxLength: redshiftMaxCharLen},
	"bpchar":                      {base: RedshiftChar, args: argLength, defLength: 256, maxLength: redshiftMaxCharLen},
	"character varying":           {base: RedshiftVarchar, args: argLength, defLength: 256, maxLength: redshiftMaxVarcharLen},
	"varchar":                     {base: RedshiftVarchar, args: argLength, defLength: 256, maxLength: redshiftMaxVarcharLen},
	"nvarchar":                    {base: RedshiftVarchar, args: argLength, defLength: 256, maxLength: redshiftMaxVarcharLen},
	"text":                        {base: RedshiftVarchar, defLength: 256},
	"date":                        {base: RedshiftDate},
	"timestamp":                   {base: RedshiftTimestamp},
	"timestamp without time zone": {base: RedshiftTimestamp},
	"timestamptz":                 {base: RedshiftTimestamptz},
	"timestamp with time zone":    {base: RedshiftTimestamptz},
	"time":                        {base: RedshiftTime},
	"time without time zone":      {base: RedshiftTime},
	"timetz":                      {base: RedshiftTimetz},
	"time with time zone":         {base: RedshiftTimetz},
	"super":                       {base: RedshiftSuper},
	"varbyte":                     {base: RedshiftVarbyte, args: argLength, defLength: redshiftDefaultVarbyte, maxLength: redshiftMaxVarbyteLen},
	"varbinary":                   {base: RedshiftVarbyte, args: argLength, defLength: redshiftDefaultVarbyte, maxLength: redshiftMaxVarbyteLen},
	"binary varying":              {base: RedshiftVarbyte, args: argLength, defLength: redshiftDefaultVarbyte, maxLength: redshiftMaxVarbyteLen},
	"geometry":                    {base: RedshiftGeometry},
	"geography":                   {base: RedshiftGeography},
	"hllsketch":                   {base: RedshiftHLLSketch},
	"interval year to month":      {base: RedshiftIntervalYM},
	"interval day to second":      {base: RedshiftIntervalDS},
}

// ParseRedshift reads a Redshift column type as information_schema,
// SVV_COLUMNS or PG_TABLE_DEF print it, or as DDL writes it, in any case.
// Bare DECIMAL means DECIMAL(18,0), bare CHAR CHAR(1), bare VARCHAR and TEXT
// VARCHAR(256), bare VARBYTE VARBYTE(64000). The error is an
// *UnsupportedError for "char" and for names it does not know, and a plain
// error for a known name with bad arguments.
func ParseRedshift(s string) (RedshiftType, error) {
	n := normalize(s)
	if n == `"char"` {
		return RedshiftType{}, &UnsupportedError{Type: s,
			Reason: `the one-byte Postgres internal type; cast it to CHAR(1) in a view and migrate the view`}
	}
	name, args, err := splitArgs(n)
	if err != nil {
		return RedshiftType{}, fmt.Errorf("Redshift type %q: %w", s, err)
	}
	sp, ok := redshiftSpellings[name]
	if !ok {
		return RedshiftType{}, &UnsupportedError{Type: s,
			Reason: "not a type ferry knows how to migrate; cast it to VARCHAR in a view and migrate the view"}
	}
	t, err := sp.build(args)
	if err != nil {
		return RedshiftType{}, fmt.Errorf("Redshift type %q: %w", s, err)
	}
	return t, nil
}

func (sp redshiftSpelling) build(args []string) (RedshiftType, error) {
	t := RedshiftType{Base: sp.base}
	switch sp.args {
	case argNone:
		if len(args) > 0 {
			return t, fmt.Errorf("%s takes no arguments", sp.base)
		}
		if sp.defLength > 0 { // TEXT
			t.Length = sp.defLength
		}
	case argLength:
		if len(args) > 1 {
			return t, fmt.Errorf("%s takes one length", sp.base)
		}
		t.Length = sp.defLength
		if len(args) == 1 {
			if args[0] == "max" {
				t.Length = sp.maxLength
				break
			}
			n, err := number(args[0])
			if err != nil {
				return t, err
			}
			if n < 1 || n > sp.maxLength {
				return t, fmt.Errorf("%s length %d out of range 1-%d", sp.base, n, sp.maxLength)
			}
			t.Length = n
		}
	case argDecimal:
		return decimalArgs(args)
	case argFloat:
		if len(args) > 1 {
			return t, errors.New("FLOAT takes one precision")
		}
		if len(args) == 1 {
			p, err := number(args[0])
			if err != nil {
				return t, err
			}
			switch {
			case p >= 1 && p <= 24:
				t.Base = RedshiftReal
			case p >= 25 && p <= 53:
			default:
				return t, fmt.Errorf("FLOAT precision %d out of range 1-53", p)
			}
		}
	}
	return t, nil
}

func decimalArgs(args []string) (RedshiftType, error) {
	t := RedshiftType{Base: RedshiftDecimal, Precision: redshiftDefaultPrec}
	if len(args) > 2 {
		return t, errors.New("DECIMAL takes a precision and a scale")
	}
	var err error
	if len(args) >= 1 {
		if t.Precision, err = number(args[0]); err != nil {
			return t, err
		}
	}
	if len(args) == 2 {
		if t.Scale, err = number(args[1]); err != nil {
			return t, err
		}
	}
	switch {
	case t.Precision < 1 || t.Precision > redshiftMaxPrecision:
		return t, fmt.Errorf("DECIMAL precision %d out of range 1-%d", t.Precision, redshiftMaxPrecision)
	case t.Scale > redshiftMaxScale:
		return t, fmt.Errorf("DECIMAL scale %d out of range 0-%d", t.Scale, redshiftMaxScale)
	case t.Scale > t.Precision:
		return t, fmt.Errorf("DECIMAL scale %d exceeds precision %d", t.Scale, t.Precision)
	}
	return t, nil
}

// normalize lower-cases s, collapses white space and drops the blanks
// around parentheses and commas, so "Character Varying ( 256 )" and
// "character varying(256)" look the same.
func normalize(s string) string {
	n := strings.Join(strings.Fields(strings.ToLower(s)), " ")
	for _, p := range []string{"(", ")", ","} {
		n = strings.ReplaceAll(n, " "+p, p)
		n = strings.ReplaceAll(n, p+" ", p)
	}
	return n
}

// splitArgs separates "timestamp(6)with time zone" into the name
// "timestamp with time zone" and the arguments ["6"].
func splitArgs(n string) (string, []string, error) {
	open := strings.IndexByte(n, '(')
	if open < 0 {
		if strings.ContainsAny(n, "),") {
			return "", nil, errors.New("unbalanced parentheses")
		}
		return n, nil, nil
	}
	closing := strings.IndexByte(n, ')')
	if closing < open || strings.Count(n, "(") != 1 || strings.Count(n, ")") != 1 {
		return "", nil, errors.New("unbalanced parentheses")
	}
	name := strings.TrimSpace(n[:open] + " " + n[closing+1:])
	inner := n[open+1 : closing]
	if inner == "" {
		return "", nil, errors.New("empty argument list")
	}
	return name, strings.Split(inner, ","), nil
}

// number reads a non-negative decimal argument.
func number(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || strings.HasPrefix(s, "+") {
		return 0, fmt.Errorf("argument %q is not a non-negative number", s)
	}
	return n, nil
}
