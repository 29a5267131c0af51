package local

import (
	"database/sql"
	"fmt"
	"strconv"
	"strings"
)

// mcType is a parsed MaxCompute column type: "DECIMAL(15,2)" has base
// DECIMAL and params [15 2]; "VARCHAR(44)" has base VARCHAR and params [44].
type mcType struct {
	base   string
	params []int
}

// String spells the type the way MaxCompute DDL does.
func (t mcType) String() string {
	if len(t.params) == 0 {
		return t.base
	}
	ps := make([]string, len(t.params))
	for i, p := range t.params {
		ps[i] = strconv.Itoa(p)
	}
	return t.base + "(" + strings.Join(ps, ",") + ")"
}

// parseMC parses a MaxCompute type. DECIMAL without parameters is the 2.0
// edition's DECIMAL(38,18); INTEGER is accepted for INT.
func parseMC(s string) (mcType, error) {
	s = strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
	base, rest, hasParams := strings.Cut(s, "(")
	t := mcType{base: base}
	if t.base == "INTEGER" {
		t.base = "INT"
	}
	if hasParams {
		if !strings.HasSuffix(rest, ")") {
			return mcType{}, fmt.Errorf("bad MaxCompute type %q", s)
		}
		for _, p := range strings.Split(strings.TrimSuffix(rest, ")"), ",") {
			n, err := strconv.Atoi(p)
			if err != nil {
				return mcType{}, fmt.Errorf("bad MaxCompute type %q", s)
			}
			t.params = append(t.params, n)
		}
	}
	want := map[string][2]int{ // base → allowed parameter counts
		"TINYINT": {0, 0}, "SMALLINT": {0, 0}, "INT": {0, 0}, "BIGINT": {0, 0}, "FLOAT": {0, 0},
		"DOUBLE": {0, 0}, "DECIMAL": {0, 2}, "STRING": {0, 0}, "VARCHAR": {1, 1}, "CHAR": {1, 1},
		"BINARY": {0, 0}, "DATE": {0, 0}, "DATETIME": {0, 0}, "TIMESTAMP": {0, 0},
		"TIMESTAMP_NTZ": {0, 0}, "BOOLEAN": {0, 0}, "JSON": {0, 0},
	}
	n, ok := want[t.base]
	if !ok {
		return mcType{}, fmt.Errorf("MaxCompute type %q is not supported by the local target", s)
	}
	if len(t.params) != n[0] && len(t.params) != n[1] {
		return mcType{}, fmt.Errorf("bad MaxCompute type %q", s)
	}
	if t.base == "DECIMAL" {
		switch len(t.params) {
		case 0:
			t.params = []int{38, 18}
		case 1:
			t.params = append(t.params, 0)
		}
		if t.params[0] < 1 || t.params[0] > 38 || t.params[1] < 0 || t.params[1] > t.params[0] {
			return mcType{}, fmt.Errorf("bad MaxCompute type %q", s)
		}
	}
	return t, nil
}

// duckType is the DuckDB type storing a MaxCompute type. MaxCompute
// TIMESTAMP is an instant, so it becomes TIMESTAMPTZ; DATETIME and
// TIMESTAMP_NTZ carry wall-clock time and become TIMESTAMP. Character
// types all become VARCHAR; Load enforces VARCHAR(n) and CHAR(n) lengths.
func (t mcType) duckType() string {
	switch t.base {
	case "INT":
		return "INTEGER"
	case "DECIMAL":
		return t.String()
	case "STRING", "VARCHAR", "CHAR", "JSON":
		return "VARCHAR"
	case "BINARY":
		return "BLOB"
	case "DATETIME", "TIMESTAMP_NTZ":
		return "TIMESTAMP"
	case "TIMESTAMP":
		return "TIMESTAMPTZ"
	}
	return t.base
}

// maxLen is the declared length of VARCHAR(n) and CHAR(n), 0 otherwise.
func (t mcType) maxLen() int {
	if (t.base == "VARCHAR" || t.base == "CHAR") && len(t.params) == 1 {
		return t.params[0]
	}
	return 0
}

// parquetColumn is one leaf of a Parquet schema, as parquet_schema()
// reports it.
type parquetColumn struct {
	physical, converted, logical sql.NullString
	scale, precision             sql.NullInt64
}

// String names the file type for error messages, in Parquet terms:
// INT32, INT32 (INT_16), INT64, DECIMAL(15,2), STRING, BINARY, DATE,
// TIMESTAMP, BOOLEAN, FLOAT, DOUBLE, INT96.
func (c parquetColumn) String() string {
	phys, conv := c.physical.String, c.converted.String
	switch {
	case conv == "DECIMAL" || strings.HasPrefix(c.logical.String, "DecimalType"):
		return fmt.Sprintf("DECIMAL(%d,%d)", c.precision.Int64, c.scale.Int64)
	case conv == "UTF8" || conv == "ENUM" || strings.HasPrefix(c.logical.String, "StringType"):
		return "STRING"
	case conv == "JSON":
		return "JSON"
	case conv == "DATE":
		return "DATE"
	case strings.HasPrefix(conv, "TIMESTAMP") || strings.HasPrefix(c.logical.String, "TimestampType"):
		return "TIMESTAMP"
	case phys == "BYTE_ARRAY" && conv == "":
		return "BINARY"
	case (phys == "INT32" || phys == "INT64") && conv != "" && conv != "INT_32" && conv != "INT_64":
		return phys + " (" + conv + ")"
	}
	return phys
}

// loadsInto reports whether a file column of this type loads directly
// into the MaxCompute type, under MaxCompute's strict Parquet matching:
// integer widths must agree, DECIMAL precision and scale must be equal.
func (c parquetColumn) loadsInto(t mcType) bool {
	f := c.String()
	switch t.base {
	case "TINYINT":
		return f == "INT32 (INT_8)"
	case "SMALLINT":
		return f == "INT32 (INT_16)"
	case "INT":
		return f == "INT32"
	case "BIGINT":
		return f == "INT64"
	case "FLOAT", "DOUBLE", "BOOLEAN", "DATE", "BINARY":
		return f == t.base
	case "DECIMAL":
		return f == t.String()
	case "STRING", "VARCHAR", "CHAR":
		return f == "STRING" || f == "JSON"
	case "JSON":
		return f == "JSON"
	case "TIMESTAMP", "DATETIME":
		return f == "TIMESTAMP" || f == "INT96"
	}
	return false // TIMESTAMP_NTZ cannot be read from Parquet
}
