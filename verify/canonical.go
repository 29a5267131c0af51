package verify

import (
	"fmt"
	"strconv"
	"strings"
)

// The canonical text of a value is the one spelling both engines must
// produce for it, so that a comparison is a plain string equality and never
// goes through floating point. Every Dialect's Canonical method builds SQL
// that yields exactly this text inside its engine:
//
//	Integer    decimal digits, "-" for negatives, no leading zeros: 42, -7
//	Decimal    exactly the column scale, no exponent: 12.50, -0.01, 0.00;
//	           scale 0 gives plain digits
//	Float      rounded to FloatDigits significant digits and written as
//	           mantissa "e" exponent, the mantissa with FloatDigits-1
//	           decimals: 1.23456000000e2, -5.00000000000e-3; zero is
//	           "0". NaN and infinities have no canonical text (the SQL
//	           fails on them rather than hide them).
//	Bool       true or false
//	Date       YYYY-MM-DD
//	Timestamp  YYYY-MM-DD HH:MM:SS.ffffff in UTC (always six fraction digits)
//	String     the value as stored, untouched
//	Char       the value with trailing blanks removed (CHAR(n) padding is
//	           storage, not data)
//	Binary     lowercase hexadecimal of the bytes
//	Other      the engine's own text cast (best effort, not portable)
//
// SQL NULL is never text: it arrives as a nil value, distinct from the empty
// string.
//
// Floats are the one lossy family. Aggregate sums of floats are rounded
// further, to FloatSumDigits, because engines add in different orders;
// float minima and maxima are compared with a relative tolerance of
// FloatTolerance instead of exactly.

// FloatDigits is the number of significant digits kept in the canonical
// text of a floating-point value. Twelve absorbs the last-bit differences of
// engines' math libraries while still telling apart any two values a person
// would call different.
const FloatDigits = 12

// FloatSumDigits is the number of significant digits kept when comparing
// the sum of a floating-point column: summation order differs between
// engines and changes the low digits.
const FloatSumDigits = 6

// FloatTolerance is the relative tolerance used when comparing the minimum
// and maximum of a floating-point column.
const FloatTolerance = 1e-9

// Family is the kind of canonical text a column's values get.
type Family int

// The families of column types. Each has one canonical text, described at
// the top of this file.
const (
	Other Family = iota
	Integer
	Decimal
	Float
	Bool
	String
	Char
	Date
	Timestamp
	Binary
)

var familyNames = [...]string{
	Other:     "other",
	Integer:   "integer",
	Decimal:   "decimal",
	Float:     "float",
	Bool:      "bool",
	String:    "string",
	Char:      "char",
	Date:      "date",
	Timestamp: "timestamp",
	Binary:    "binary",
}

// String returns the family's lowercase name, as used in reports.
func (f Family) String() string {
	if f >= 0 && int(f) < len(familyNames) {
		return familyNames[f]
	}
	return "family(" + strconv.Itoa(int(f)) + ")"
}

// ColumnType is what verification needs to know about a column's type:
// its family and, for decimals, its scale.
type ColumnType struct {
	Family Family `json:"family"`
	// Scale is the number of fraction digits of a Decimal column; it is
	// ignored for other families.
	Scale int `json:"scale,omitempty"`
}

// String renders the type compactly ("decimal(2)", "date").
func (t ColumnType) String() string {
	if t.Family == Decimal {
		return fmt.Sprintf("decimal(%d)", t.Scale)
	}
	return t.Family.String()
}

// FamilyOf maps a MaxCompute column type, as DESC or the planned mapping
// spells it ("DECIMAL(15,2)", "varchar(44)", "BIGINT"), to its ColumnType.
// Because the target type is what the loaded data actually has, verification
// canonicalises both sides by the target type. Types it does not know
// (ARRAY, MAP, STRUCT, JSON, …) map to Other.
func FamilyOf(mcType string) ColumnType {
	name, args := splitType(mcType)
	switch name {
	case "TINYINT", "SMALLINT", "INT", "INTEGER", "BIGINT":
		return ColumnType{Family: Integer}
	case "DECIMAL", "NUMERIC":
		// MaxCompute 2.0 DECIMAL without arguments is DECIMAL(10,0);
		// DECIMAL(p) has scale 0.
		scale := 0
		if len(args) == 2 {
			if s, err := strconv.Atoi(args[1]); err == nil && s >= 0 {
				scale = s
			}
		}
		return ColumnType{Family: Decimal, Scale: scale}
	case "FLOAT", "DOUBLE", "REAL":
		return ColumnType{Family: Float}
	case "BOOLEAN", "BOOL":
		return ColumnType{Family: Bool}
	case "STRING", "VARCHAR":
		return ColumnType{Family: String}
	case "CHAR":
		return ColumnType{Family: Char}
	case "DATE":
		return ColumnType{Family: Date}
	case "DATETIME", "TIMESTAMP", "TIMESTAMP_NTZ":
		return ColumnType{Family: Timestamp}
	case "BINARY":
		return ColumnType{Family: Binary}
	}
	return ColumnType{Family: Other}
}

// splitType splits "DECIMAL(15, 2)" into "DECIMAL" and ["15", "2"],
// upper-casing the name.
func splitType(t string) (string, []string) {
	t = strings.TrimSpace(t)
	open := strings.IndexByte(t, '(')
	if open < 0 {
		return strings.ToUpper(t), nil
	}
	name := strings.ToUpper(strings.TrimSpace(t[:open]))
	inner := strings.TrimSuffix(strings.TrimSpace(t[open+1:]), ")")
	var args []string
	for _, a := range strings.Split(inner, ",") {
		args = append(args, strings.TrimSpace(a))
	}
	return name, args
}
