package typemap

import "fmt"

// DirectLoad reports whether MaxCompute LOAD reads a Parquet column whose
// MaxCompute type is file straight into a table column of type table.
// MaxCompute matches Parquet types strictly, so the types must be equal;
// the one exception is a STRING file column, which loads into STRING,
// VARCHAR(n) and CHAR(n). A type that cannot be read from Parquet at all
// (see NeedsStaging) never loads directly.
func DirectLoad(file, table MCType) bool {
	if file.Name == "" || table.Name == "" || file.NeedsStaging() || table.NeedsStaging() {
		return false
	}
	if file.Name == MCString && table.isString() {
		return true
	}
	return file.Equal(table)
}

// NeedsStaging reports whether MaxCompute cannot read a column of this type
// from Parquet at all (TIMESTAMP_NTZ and JSON, also inside ARRAY, MAP or
// STRUCT), so the data must be loaded into a staging column and converted
// with INSERT ... SELECT.
func (m MCType) NeedsStaging() bool {
	switch m.Name {
	case MCTimestampNTZ, MCJSON:
		return true
	case MCArray:
		return m.Elem != nil && m.Elem.NeedsStaging()
	case MCMap:
		return (m.Key != nil && m.Key.NeedsStaging()) || (m.Value != nil && m.Value.NeedsStaging())
	case MCStruct:
		for _, f := range m.Fields {
			if f.Type.NeedsStaging() {
				return true
			}
		}
	}
	return false
}

// isString reports whether m is one of the character types.
func (m MCType) isString() bool {
	return m.Name == MCString || m.Name == MCVarchar || m.Name == MCChar
}

// integerDigits is the number of decimal digits each integer type needs,
// which a DECIMAL must hold left of the point to receive it.
var integerDigits = map[string]int{MCTinyint: 3, MCSmallint: 5, MCInt: 10, MCBigint: 19}

// integerRank orders the integer types by width.
var integerRank = map[string]int{MCTinyint: 1, MCSmallint: 2, MCInt: 3, MCBigint: 4}

// floatMantissa is the mantissa width of FLOAT and DOUBLE, which decides
// which integer types they hold exactly.
var floatMantissa = map[string]int{MCFloat: 24, MCDouble: 53}

// integerBits is the width of each integer type less its sign bit.
var integerBits = map[string]int{MCTinyint: 7, MCSmallint: 15, MCInt: 31, MCBigint: 63}

// CastLoad reports whether the staging route can produce a table column of
// type table from a Parquet column of type file: LOAD into a staging table
// of type file, then INSERT OVERWRITE ... SELECT CAST(c AS table). It
// allows widening between numeric types without loss, any scalar type to
// STRING, and STRING to the date, time, numeric and character types. A
// DECIMAL may lose scale (the CAST rounds) but not integer digits. The
// error says why the route does not work, for example
// "DECIMAL(10,2) cannot hold DECIMAL(15,2) values".
func CastLoad(file, table MCType) error {
	switch {
	case file.Name == "" || table.Name == "":
		return fmt.Errorf("cannot CAST %q to %q: missing type", file.String(), table.String())
	case file.NeedsStaging():
		return fmt.Errorf("%s cannot be read from Parquet, so it cannot be the staging type", file)
	case file.Equal(table):
		return nil
	case table.Name == MCString && !file.isComplex():
		return nil
	case file.Name == MCString:
		return castFromString(table)
	}
	if _, ok := integerRank[file.Name]; ok {
		return castFromInteger(file, table)
	}
	switch {
	case file.Name == MCFloat && table.Name == MCDouble:
		return nil
	case file.Name == MCDecimal && table.Name == MCDecimal:
		if table.Precision-table.Scale < file.Precision-file.Scale {
			return fmt.Errorf("%s cannot hold %s values", table, file)
		}
		return nil
	}
	return noCast(file, table)
}

func castFromString(table MCType) error {
	switch table.Name {
	case MCDate, MCDatetime, MCTimestamp, MCTimestampNTZ, MCDecimal,
		MCTinyint, MCSmallint, MCInt, MCBigint, MCFloat, MCDouble,
		MCVarchar, MCChar:
		return nil
	case MCJSON:
		return fmt.Errorf("cannot CAST STRING to JSON; MaxCompute builds JSON values with JSON_PARSE")
	}
	return noCast(mc(MCString), table)
}

func castFromInteger(file, table MCType) error {
	if rank, ok := integerRank[table.Name]; ok {
		if rank < integerRank[file.Name] {
			return fmt.Errorf("%s cannot hold %s values", table, file)
		}
		return nil
	}
	if bits, ok := floatMantissa[table.Name]; ok {
		if bits < integerBits[file.Name] {
			return fmt.Errorf("%s cannot hold %s values exactly", table, file)
		}
		return nil
	}
	if table.Name == MCDecimal {
		if table.Precision-table.Scale < integerDigits[file.Name] {
			return fmt.Errorf("%s cannot hold %s values", table, file)
		}
		return nil
	}
	return noCast(file, table)
}

func noCast(file, table MCType) error {
	return fmt.Errorf("cannot CAST %s to %s in the staging route", file, table)
}

// isComplex reports whether m is ARRAY, MAP or STRUCT.
func (m MCType) isComplex() bool {
	return m.Name == MCArray || m.Name == MCMap || m.Name == MCStruct
}
