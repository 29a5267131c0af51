package redshift

import (
	"encoding/hex"
	"math"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// More PostgreSQL type OIDs the Data API distinguishes.
const (
	oidBytea  = 17
	oidText   = 25
	oidJSON   = 114
	oidTime   = 1083
	oidTimeTZ = 1266
	oidJSONB  = 3802
)

// typeNames are the typeName values the Data API reports, by OID:
// Redshift's short names, with PostgreSQL stand-ins shown as the Redshift
// type they play (json as super, bytea as varbyte).
var typeNames = map[uint32]string{
	oidBool: "bool", oidBytea: "varbyte", oidInt8: "int8", oidInt2: "int2", oidInt4: "int4", oidText: "text",
	oidJSON: "super", oidJSONB: "super", oidFloat4: "float4", oidFloat8: "float8", oidBPChar: "bpchar",
	oidVarchar: "varchar", oidDate: "date", oidTime: "time", oidTimestamp: "timestamp",
	oidTimestampTZ: "timestamptz", oidTimeTZ: "timetz", oidNumeric: "numeric",
}

// columnMetadata describes result columns as ColumnMetadata entries.
func columnMetadata(fields []pgconn.FieldDescription) []map[string]any {
	out := make([]map[string]any, len(fields))
	for i, f := range fields {
		name := typeNames[f.DataTypeOID]
		if name == "" {
			name = "varchar"
		}
		m := map[string]any{"name": f.Name, "label": f.Name, "typeName": name, "nullable": 1,
			"isCaseSensitive": false, "isCurrency": false, "isSigned": false, "length": 0, "precision": 0, "scale": 0,
			"schemaName": "", "tableName": ""}
		switch f.DataTypeOID {
		case oidNumeric:
			if f.TypeModifier >= 4 {
				m["precision"], m["scale"] = (f.TypeModifier-4)>>16&0xffff, (f.TypeModifier-4)&0xffff
			}
			m["isSigned"] = true
		case oidVarchar, oidBPChar:
			if f.TypeModifier >= 4 {
				m["length"] = f.TypeModifier - 4
			}
			m["isCaseSensitive"] = true
		case oidInt2, oidInt4, oidInt8, oidFloat4, oidFloat8:
			m["isSigned"] = true
		}
		out[i] = m
	}
	return out
}

// field turns one text value into a Field union member: integers as
// longValue, floats as doubleValue, booleans as booleanValue, VARBYTE as
// blobValue, NULL as isNull, and everything else (NUMERIC included, to
// keep its digits) as stringValue.
func field(v []byte, oid uint32) map[string]any {
	if v == nil {
		return map[string]any{"isNull": true}
	}
	s := string(v)
	switch oid {
	case oidInt2, oidInt4, oidInt8:
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return map[string]any{"longValue": n}
		}
	case oidFloat4, oidFloat8:
		// NaN and infinities have no JSON number, so they stay text.
		if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
			return map[string]any{"doubleValue": f}
		}
	case oidBool:
		return map[string]any{"booleanValue": s == "t" || s == "true"}
	case oidBytea:
		if b, err := hex.DecodeString(strings.TrimPrefix(s, `\x`)); err == nil {
			return map[string]any{"blobValue": blob(b)}
		}
	}
	return map[string]any{"stringValue": s}
}
