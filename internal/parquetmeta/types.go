package parquetmeta

import "fmt"

// Footer is what a Parquet footer says about its file.
type Footer struct {
	// NumRows is the number of rows in the file.
	NumRows int64
	// Columns are the leaf columns (the schema elements without
	// children, the root excluded) in the file's depth-first order.
	Columns []Column
}

// Column is one leaf column of a Parquet schema.
type Column struct {
	// Name is the column's own name, not its path from the root.
	Name string
	// Physical is how values are stored.
	Physical Type
	// TypeLength is the byte width of a FIXED_LEN_BYTE_ARRAY column's
	// values; 0 for every other physical type.
	TypeLength int32
	// Repetition is REQUIRED when the element did not say.
	Repetition Repetition
	// FieldID is the element's field_id, -1 when it has none.
	FieldID int32
	// Logical is the column's logical type: the element's logicalType,
	// or one derived from its converted_type, or LogicalNone.
	Logical LogicalType
}

// Type is a Parquet physical type.
type Type int32

// The physical types, numbered as in parquet.thrift.
const (
	TypeBoolean           Type = 0
	TypeInt32             Type = 1
	TypeInt64             Type = 2
	TypeInt96             Type = 3
	TypeFloat             Type = 4
	TypeDouble            Type = 5
	TypeByteArray         Type = 6
	TypeFixedLenByteArray Type = 7
)

var typeNames = [...]string{"BOOLEAN", "INT32", "INT64", "INT96", "FLOAT", "DOUBLE", "BYTE_ARRAY", "FIXED_LEN_BYTE_ARRAY"}

// String spells the type as parquet.thrift does: INT32, BYTE_ARRAY,
// FIXED_LEN_BYTE_ARRAY, ….
func (t Type) String() string {
	if t >= 0 && int(t) < len(typeNames) {
		return typeNames[t]
	}
	return fmt.Sprintf("Type(%d)", int32(t))
}

// Repetition says whether a column's values may be null or repeat.
type Repetition int32

// The repetition types, numbered as in parquet.thrift.
const (
	Required Repetition = 0
	Optional Repetition = 1
	Repeated Repetition = 2
)

// String spells the repetition as parquet.thrift does.
func (r Repetition) String() string {
	switch r {
	case Required:
		return "REQUIRED"
	case Optional:
		return "OPTIONAL"
	case Repeated:
		return "REPEATED"
	}
	return fmt.Sprintf("Repetition(%d)", int32(r))
}

// LogicalKind is which member of parquet.thrift's LogicalType union a
// logical type is, plus the kinds only a converted_type gives.
type LogicalKind uint8

// The logical kinds. LogicalNone is a column with no annotation;
// LogicalNull is parquet.thrift's UNKNOWN member (a column that is always
// null); LogicalInterval comes only from the INTERVAL converted_type,
// which has no LogicalType member; LogicalUnrecognized is a union member
// this package does not know.
const (
	LogicalNone LogicalKind = iota
	LogicalString
	LogicalMap
	LogicalList
	LogicalEnum
	LogicalDecimal
	LogicalDate
	LogicalTime
	LogicalTimestamp
	LogicalInteger
	LogicalNull
	LogicalJSON
	LogicalBSON
	LogicalUUID
	LogicalFloat16
	LogicalVariant
	LogicalGeometry
	LogicalGeography
	LogicalInterval
	LogicalUnrecognized
)

var kindNames = [...]string{
	LogicalNone: "NONE", LogicalString: "STRING", LogicalMap: "MAP", LogicalList: "LIST", LogicalEnum: "ENUM",
	LogicalDecimal: "DECIMAL", LogicalDate: "DATE", LogicalTime: "TIME", LogicalTimestamp: "TIMESTAMP",
	LogicalInteger: "INTEGER", LogicalNull: "UNKNOWN", LogicalJSON: "JSON", LogicalBSON: "BSON", LogicalUUID: "UUID",
	LogicalFloat16: "FLOAT16", LogicalVariant: "VARIANT", LogicalGeometry: "GEOMETRY", LogicalGeography: "GEOGRAPHY",
	LogicalInterval: "INTERVAL", LogicalUnrecognized: "UNRECOGNIZED",
}

// String spells the kind as parquet.thrift names the union member.
func (k LogicalKind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("LogicalKind(%d)", uint8(k))
}

// TimeUnit is the resolution of a TIME or TIMESTAMP.
type TimeUnit uint8

// The time units; TimeUnitNone is the zero value, on kinds without one.
const (
	TimeUnitNone TimeUnit = iota
	Millis
	Micros
	Nanos
)

// String spells the unit as parquet.thrift does: MILLIS, MICROS, NANOS.
func (u TimeUnit) String() string {
	switch u {
	case TimeUnitNone:
		return "NONE"
	case Millis:
		return "MILLIS"
	case Micros:
		return "MICROS"
	case Nanos:
		return "NANOS"
	}
	return fmt.Sprintf("TimeUnit(%d)", uint8(u))
}

// LogicalType is a column's logical type. Only the fields of its Kind
// (and FromConverted) are set and the others are zero, so LogicalTypes
// compare with ==.
type LogicalType struct {
	Kind LogicalKind
	// Precision and Scale are a DECIMAL's digits in all and after the
	// point.
	Precision, Scale int32
	// Unit is a TIME's or TIMESTAMP's resolution.
	Unit TimeUnit
	// AdjustedToUTC says a TIME or TIMESTAMP is an instant (normalised to
	// UTC) rather than a local wall-clock reading.
	AdjustedToUTC bool
	// BitWidth (8, 16, 32 or 64) and Signed describe an INTEGER.
	BitWidth int8
	Signed   bool
	// FromConverted says the element had no logicalType and this one was
	// derived from its legacy converted_type.
	FromConverted bool
}

// String spells the type compactly: STRING, DECIMAL(18,3),
// TIMESTAMP(MICROS,UTC), INTEGER(16,unsigned), ….
func (l LogicalType) String() string {
	switch l.Kind {
	case LogicalDecimal:
		return fmt.Sprintf("DECIMAL(%d,%d)", l.Precision, l.Scale)
	case LogicalTime, LogicalTimestamp:
		if l.AdjustedToUTC {
			return fmt.Sprintf("%s(%s,UTC)", l.Kind, l.Unit)
		}
		return fmt.Sprintf("%s(%s)", l.Kind, l.Unit)
	case LogicalInteger:
		if l.Signed {
			return fmt.Sprintf("INTEGER(%d,signed)", l.BitWidth)
		}
		return fmt.Sprintf("INTEGER(%d,unsigned)", l.BitWidth)
	}
	return l.Kind.String()
}
