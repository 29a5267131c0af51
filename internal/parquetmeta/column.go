package parquetmeta

import (
	"fmt"
	"math"
)

// The legacy converted_type values of parquet.thrift.
const (
	convUTF8 = iota
	convMap
	convMapKeyValue
	convList
	convEnum
	convDecimal
	convDate
	convTimeMillis
	convTimeMicros
	convTimestampMillis
	convTimestampMicros
	convUint8
	convUint16
	convUint32
	convUint64
	convInt8
	convInt16
	convInt32
	convInt64
	convJSON
	convBSON
	convInterval
)

var convNames = [...]string{"UTF8", "MAP", "MAP_KEY_VALUE", "LIST", "ENUM", "DECIMAL", "DATE", "TIME_MILLIS",
	"TIME_MICROS", "TIMESTAMP_MILLIS", "TIMESTAMP_MICROS", "UINT_8", "UINT_16", "UINT_32", "UINT_64", "INT_8",
	"INT_16", "INT_32", "INT_64", "JSON", "BSON", "INTERVAL"}

// checkGroup checks a group's annotation, which only nested types may be.
func (e *element) checkGroup() error {
	switch {
	case e.hasLogical:
		switch e.logical.Kind {
		case LogicalMap, LogicalList, LogicalVariant, LogicalUnrecognized:
			return nil
		}
		return e.errorf("logicalType %s cannot annotate a group", e.logical)
	case e.hasConverted:
		switch e.converted {
		case convMap, convMapKeyValue, convList:
			return nil
		}
		if e.converted < 0 || int(e.converted) >= len(convNames) {
			return e.errorf("unknown converted_type %d", e.converted)
		}
		return e.errorf("converted_type %s cannot annotate a group", convNames[e.converted])
	}
	return nil
}

// column makes a leaf element a Column, checking that its logical type
// can annotate its physical type.
func (e *element) column() (Column, error) {
	if !e.hasType {
		return Column{}, e.errorf("leaf column has no physical type")
	}
	t := Type(e.typ)
	if t < TypeBoolean || t > TypeFixedLenByteArray {
		return Column{}, e.errorf("unknown physical type %d", e.typ)
	}
	c := Column{Name: e.name, Physical: t, Repetition: Repetition(e.repetition), FieldID: e.fieldID}
	if t == TypeFixedLenByteArray {
		if e.typeLength <= 0 {
			return Column{}, e.errorf("FIXED_LEN_BYTE_ARRAY has type_length %d", e.typeLength)
		}
		c.TypeLength = e.typeLength
	}
	var err error
	switch {
	case e.hasLogical:
		c.Logical = e.logical
		err = e.applicable(c.Logical, t)
	case e.hasConverted:
		c.Logical, err = e.fromConverted(t)
	}
	return c, err
}

// applicable checks that logical type l can annotate physical type t:
// the rules of parquet-format's LogicalTypes.md, as arrow-go applies them.
func (e *element) applicable(l LogicalType, t Type) error {
	ok := true
	switch l.Kind {
	case LogicalString, LogicalEnum, LogicalJSON, LogicalBSON, LogicalGeometry, LogicalGeography:
		ok = t == TypeByteArray
	case LogicalMap, LogicalList, LogicalVariant:
		return e.errorf("logicalType %s annotates groups, not leaf columns", l)
	case LogicalDecimal:
		if err := e.checkDecimal(l.Precision, l.Scale); err != nil {
			return err
		}
		switch t {
		case TypeInt32:
			ok = l.Precision <= 9
		case TypeInt64:
			ok = l.Precision <= 18
		case TypeFixedLenByteArray:
			ok = int64(l.Precision) <= maxDecimalDigits(e.typeLength)
		case TypeByteArray:
		default:
			ok = false
		}
	case LogicalDate:
		ok = t == TypeInt32
	case LogicalTime:
		ok = (t == TypeInt32 && l.Unit == Millis) || (t == TypeInt64 && (l.Unit == Micros || l.Unit == Nanos))
	case LogicalTimestamp:
		ok = t == TypeInt64
	case LogicalInteger:
		ok = (t == TypeInt32 && l.BitWidth <= 32) || (t == TypeInt64 && l.BitWidth == 64)
	case LogicalUUID:
		ok = t == TypeFixedLenByteArray && e.typeLength == 16
	case LogicalFloat16:
		ok = t == TypeFixedLenByteArray && e.typeLength == 2
	}
	if !ok {
		return e.errorf("logicalType %s cannot annotate %s", l, e.physical(t))
	}
	return nil
}

// checkDecimal checks a DECIMAL's precision and scale, whichever way they
// were given.
func (e *element) checkDecimal(precision, scale int32) error {
	switch {
	case precision < 1:
		return e.errorf("DECIMAL precision %d is not positive", precision)
	case scale < 0 || scale > precision:
		return e.errorf("DECIMAL scale %d is outside 0 to precision %d", scale, precision)
	}
	return nil
}

// maxDecimalDigits is how many decimal digits a signed two's-complement
// integer of n bytes holds: floor(log10(2^(8n-1))).
func maxDecimalDigits(n int32) int64 {
	return int64(math.Floor(float64(8*int64(n)-1) * math.Log10(2)))
}

// physical spells t, with its width when it is FIXED_LEN_BYTE_ARRAY.
func (e *element) physical(t Type) string {
	if t == TypeFixedLenByteArray {
		return fmt.Sprintf("%s(%d)", t, e.typeLength)
	}
	return t.String()
}

// fromConverted derives a leaf's logical type from its converted_type the
// way arrow-go's schema package does (NewPrimitiveNodeConverted and
// ConvertedType.ToLogicalType), so that legacy files read as before.
func (e *element) fromConverted(t Type) (LogicalType, error) {
	c := e.converted
	if c < 0 || int(c) >= len(convNames) {
		return LogicalType{}, e.errorf("unknown converted_type %d", c)
	}
	l := LogicalType{FromConverted: true}
	var want []Type
	switch c {
	case convUTF8:
		want, l.Kind = []Type{TypeByteArray}, LogicalString
	case convJSON:
		want, l.Kind = []Type{TypeByteArray}, LogicalJSON
	case convBSON:
		want, l.Kind = []Type{TypeByteArray}, LogicalBSON
	case convEnum:
		want, l.Kind = []Type{TypeByteArray}, LogicalEnum
	case convDecimal:
		want = []Type{TypeInt32, TypeInt64, TypeByteArray, TypeFixedLenByteArray}
		if err := e.checkDecimal(e.precision, e.scale); err != nil {
			return LogicalType{}, err
		}
		l.Kind, l.Precision, l.Scale = LogicalDecimal, e.precision, e.scale
	case convDate:
		want, l.Kind = []Type{TypeInt32}, LogicalDate
	case convTimeMillis:
		want, l.Kind, l.Unit, l.AdjustedToUTC = []Type{TypeInt32}, LogicalTime, Millis, true
	case convTimeMicros:
		want, l.Kind, l.Unit, l.AdjustedToUTC = []Type{TypeInt64}, LogicalTime, Micros, true
	case convTimestampMillis:
		want, l.Kind, l.Unit, l.AdjustedToUTC = []Type{TypeInt64}, LogicalTimestamp, Millis, true
	case convTimestampMicros:
		want, l.Kind, l.Unit, l.AdjustedToUTC = []Type{TypeInt64}, LogicalTimestamp, Micros, true
	case convInt8, convUint8:
		want, l.Kind, l.BitWidth, l.Signed = []Type{TypeInt32}, LogicalInteger, 8, c == convInt8
	case convInt16, convUint16:
		want, l.Kind, l.BitWidth, l.Signed = []Type{TypeInt32}, LogicalInteger, 16, c == convInt16
	case convInt32, convUint32:
		want, l.Kind, l.BitWidth, l.Signed = []Type{TypeInt32}, LogicalInteger, 32, c == convInt32
	case convInt64, convUint64:
		want, l.Kind, l.BitWidth, l.Signed = []Type{TypeInt64}, LogicalInteger, 64, c == convInt64
	case convInterval:
		if t != TypeFixedLenByteArray || e.typeLength != 12 {
			return LogicalType{}, e.errorf("converted_type INTERVAL cannot annotate %s", e.physical(t))
		}
		return LogicalType{Kind: LogicalInterval, FromConverted: true}, nil
	default: // MAP, MAP_KEY_VALUE, LIST
		return LogicalType{}, e.errorf("converted_type %s annotates groups, not leaf columns", convNames[c])
	}
	for _, w := range want {
		if t == w {
			return l, nil
		}
	}
	return LogicalType{}, e.errorf("converted_type %s cannot annotate %s", convNames[c], e.physical(t))
}
