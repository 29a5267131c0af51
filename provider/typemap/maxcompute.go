package typemap

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// MaxCompute 2.0 type names, as MCType.Name holds them.
const (
	MCTinyint      = "TINYINT"
	MCSmallint     = "SMALLINT"
	MCInt          = "INT"
	MCBigint       = "BIGINT"
	MCFloat        = "FLOAT"
	MCDouble       = "DOUBLE"
	MCDecimal      = "DECIMAL"
	MCVarchar      = "VARCHAR"
	MCChar         = "CHAR"
	MCString       = "STRING"
	MCBinary       = "BINARY"
	MCDate         = "DATE"
	MCDatetime     = "DATETIME"
	MCTimestamp    = "TIMESTAMP"
	MCTimestampNTZ = "TIMESTAMP_NTZ"
	MCBoolean      = "BOOLEAN"
	MCJSON         = "JSON"
	MCArray        = "ARRAY"
	MCMap          = "MAP"
	MCStruct       = "STRUCT"
)

// Limits of the MaxCompute 2.0 types.
const (
	MCMaxDecimalPrecision = 38
	MCMaxDecimalScale     = 18 // without odps.sql.decimal2.extended.scale.enable
	MCMaxExtendedScale    = 38 // with it
	MCMaxCharLength       = 255
	MCMaxVarcharLength    = 65535
)

// MCType is a MaxCompute 2.0 column type. Precision and Scale are set for
// DECIMAL, Length for CHAR and VARCHAR, Elem for ARRAY, Key and Value for
// MAP, Fields for STRUCT. Compare two types with Equal.
type MCType struct {
	Name      string
	Precision int
	Scale     int
	Length    int
	Elem      *MCType
	Key       *MCType
	Value     *MCType
	Fields    []MCField
}

// MCField is one field of a STRUCT. Name is lower case, as the service
// returns it.
type MCField struct {
	Name string
	Type MCType
}

// String renders the type in the canonical upper-case form the ODPS SDK
// prints for a table schema: DECIMAL(15,2), ARRAY<INT>,
// MAP<STRING,BIGINT>, STRUCT<`a`:INT,`b`:STRING>. The zero MCType prints as
// the empty string.
func (m MCType) String() string {
	switch m.Name {
	case MCDecimal:
		return fmt.Sprintf("DECIMAL(%d,%d)", m.Precision, m.Scale)
	case MCChar, MCVarchar:
		return fmt.Sprintf("%s(%d)", m.Name, m.Length)
	case MCArray:
		return "ARRAY<" + elemString(m.Elem) + ">"
	case MCMap:
		return "MAP<" + elemString(m.Key) + "," + elemString(m.Value) + ">"
	case MCStruct:
		parts := make([]string, len(m.Fields))
		for i, f := range m.Fields {
			parts[i] = Quote(f.Name) + ":" + f.Type.String()
		}
		return "STRUCT<" + strings.Join(parts, ",") + ">"
	}
	return m.Name
}

// elemString prints an element type, tolerating a hand-built MCType that
// left it nil.
func elemString(t *MCType) string {
	if t == nil {
		return ""
	}
	return t.String()
}

// Equal reports whether m and o are the same type, arguments and element
// types included.
func (m MCType) Equal(o MCType) bool { return m.String() == o.String() }

// ParseMaxCompute reads a MaxCompute 2.0 type in any case, the way DDL and
// the SDK write it. Bare DECIMAL means DECIMAL(38,18), as in MaxCompute. A
// DECIMAL scale above 18 is refused; use Options.ParseMaxCompute with
// ExtendedDecimalScale to allow up to 38. The error names the problem, for
// example `CHAR length 300 out of range 1-255`.
func ParseMaxCompute(s string) (MCType, error) {
	return Options{}.ParseMaxCompute(s)
}

// ParseMaxCompute is the package ParseMaxCompute with a DECIMAL scale limit
// of 38 instead of 18 when o.ExtendedDecimalScale is set.
func (o Options) ParseMaxCompute(s string) (MCType, error) {
	p := &mcParser{src: s, maxScale: MCMaxDecimalScale}
	if o.ExtendedDecimalScale {
		p.maxScale = MCMaxExtendedScale
	}
	p.space()
	if p.done() {
		return MCType{}, errors.New("empty MaxCompute type")
	}
	t, err := p.typ()
	if err != nil {
		return MCType{}, err
	}
	p.space()
	if !p.done() {
		return MCType{}, fmt.Errorf("unexpected %q after MaxCompute type %s", p.src[p.pos:], t)
	}
	return t, nil
}

// mcParser is a recursive-descent reader over one type string.
type mcParser struct {
	src      string
	pos      int
	maxScale int
}

func (p *mcParser) done() bool { return p.pos >= len(p.src) }

func (p *mcParser) space() {
	for !p.done() && strings.IndexByte(" \t\r\n", p.src[p.pos]) >= 0 {
		p.pos++
	}
}

// accept reports whether the next non-blank byte is c, consuming it if so.
func (p *mcParser) accept(c byte) bool {
	p.space()
	if !p.done() && p.src[p.pos] == c {
		p.pos++
		return true
	}
	return false
}

func (p *mcParser) expect(c byte, after string) error {
	if p.accept(c) {
		return nil
	}
	if p.done() {
		return fmt.Errorf("MaxCompute type %s: missing %q", after, c)
	}
	return fmt.Errorf("MaxCompute type %s: expected %q, found %q", after, c, p.src[p.pos:])
}

// word reads a run of letters, digits and underscores.
func (p *mcParser) word() string {
	p.space()
	start := p.pos
	for !p.done() {
		c := p.src[p.pos]
		if c != '_' && (c < '0' || c > '9') && (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') {
			break
		}
		p.pos++
	}
	return p.src[start:p.pos]
}

func (p *mcParser) typ() (MCType, error) {
	w := p.word()
	if w == "" {
		if p.done() {
			return MCType{}, errors.New("MaxCompute type missing")
		}
		return MCType{}, fmt.Errorf("unknown MaxCompute type %q", p.src[p.pos:])
	}
	name := strings.ToUpper(w)
	switch name {
	case MCTinyint, MCSmallint, MCInt, MCBigint, MCFloat, MCDouble, MCString, MCBinary,
		MCDate, MCDatetime, MCTimestamp, MCTimestampNTZ, MCBoolean, MCJSON:
		if p.accept('(') {
			return MCType{}, fmt.Errorf("%s takes no arguments", name)
		}
		return MCType{Name: name}, nil
	case MCDecimal:
		return p.decimal()
	case MCChar, MCVarchar:
		return p.length(name)
	case MCArray:
		return p.array()
	case MCMap:
		return p.mapType()
	case MCStruct:
		return p.structType()
	}
	return MCType{}, fmt.Errorf("unknown MaxCompute type %q", w)
}

// args reads "(n[,n...])" if present; nil when there is no parenthesis.
func (p *mcParser) args(name string) ([]int, error) {
	if !p.accept('(') {
		return nil, nil
	}
	var out []int
	for {
		w := p.word()
		n, err := strconv.Atoi(w)
		if err != nil {
			return nil, fmt.Errorf("%s argument %q is not a number", name, w)
		}
		out = append(out, n)
		if p.accept(')') {
			return out, nil
		}
		if err := p.expect(',', name); err != nil {
			return nil, err
		}
	}
}

func (p *mcParser) decimal() (MCType, error) {
	a, err := p.args(MCDecimal)
	if err != nil {
		return MCType{}, err
	}
	t := MCType{Name: MCDecimal, Precision: MCMaxDecimalPrecision, Scale: MCMaxDecimalScale}
	switch len(a) {
	case 0:
		return t, nil
	case 1:
		t.Precision, t.Scale = a[0], 0
	case 2:
		t.Precision, t.Scale = a[0], a[1]
	default:
		return MCType{}, errors.New("DECIMAL takes a precision and a scale")
	}
	switch {
	case t.Precision < 1 || t.Precision > MCMaxDecimalPrecision:
		return MCType{}, fmt.Errorf("DECIMAL precision %d out of range 1-%d", t.Precision, MCMaxDecimalPrecision)
	case t.Scale < 0 || t.Scale > p.maxScale:
		return MCType{}, fmt.Errorf("DECIMAL scale %d out of range 0-%d", t.Scale, p.maxScale)
	case t.Scale > t.Precision:
		return MCType{}, fmt.Errorf("DECIMAL scale %d exceeds precision %d", t.Scale, t.Precision)
	}
	return t, nil
}

func (p *mcParser) length(name string) (MCType, error) {
	a, err := p.args(name)
	if err != nil {
		return MCType{}, err
	}
	if len(a) != 1 {
		return MCType{}, fmt.Errorf("%s needs one length, as in %s(10)", name, name)
	}
	limit := MCMaxCharLength
	if name == MCVarchar {
		limit = MCMaxVarcharLength
	}
	if a[0] < 1 || a[0] > limit {
		return MCType{}, fmt.Errorf("%s length %d out of range 1-%d", name, a[0], limit)
	}
	return MCType{Name: name, Length: a[0]}, nil
}

func (p *mcParser) array() (MCType, error) {
	if err := p.expect('<', MCArray); err != nil {
		return MCType{}, err
	}
	elem, err := p.typ()
	if err != nil {
		return MCType{}, err
	}
	if err := p.expect('>', MCArray); err != nil {
		return MCType{}, err
	}
	return MCType{Name: MCArray, Elem: &elem}, nil
}

func (p *mcParser) mapType() (MCType, error) {
	if err := p.expect('<', MCMap); err != nil {
		return MCType{}, err
	}
	key, err := p.typ()
	if err != nil {
		return MCType{}, err
	}
	if err := p.expect(',', MCMap); err != nil {
		return MCType{}, err
	}
	val, err := p.typ()
	if err != nil {
		return MCType{}, err
	}
	if err := p.expect('>', MCMap); err != nil {
		return MCType{}, err
	}
	return MCType{Name: MCMap, Key: &key, Value: &val}, nil
}

func (p *mcParser) structType() (MCType, error) {
	if err := p.expect('<', MCStruct); err != nil {
		return MCType{}, err
	}
	t := MCType{Name: MCStruct}
	for {
		name, err := p.fieldName()
		if err != nil {
			return MCType{}, err
		}
		if err := p.expect(':', MCStruct); err != nil {
			return MCType{}, err
		}
		ft, err := p.typ()
		if err != nil {
			return MCType{}, err
		}
		t.Fields = append(t.Fields, MCField{Name: name, Type: ft})
		if p.accept('>') {
			return t, nil
		}
		if err := p.expect(',', MCStruct); err != nil {
			return MCType{}, err
		}
	}
}

// fieldName reads a plain or backtick-quoted STRUCT field name.
func (p *mcParser) fieldName() (string, error) {
	if !p.accept('`') {
		w := p.word()
		if w == "" {
			return "", errors.New("MaxCompute type STRUCT: field name missing")
		}
		return strings.ToLower(w), nil
	}
	var b strings.Builder
	for !p.done() {
		c := p.src[p.pos]
		p.pos++
		if c != '`' {
			b.WriteByte(c)
			continue
		}
		if !p.done() && p.src[p.pos] == '`' {
			b.WriteByte('`')
			p.pos++
			continue
		}
		if b.Len() == 0 {
			return "", errors.New("MaxCompute type STRUCT: field name missing")
		}
		return strings.ToLower(b.String()), nil
	}
	return "", errors.New("MaxCompute type STRUCT: unterminated `quoted` field name")
}
