package typemap

import (
	"fmt"
)

// MaxCompute settings a mapping may need. Pass them in the SQL task
// settings of every DDL, LOAD and INSERT that touches the table, because a
// project's defaults are unknown.
const (
	HintTypeSystem2   = "odps.sql.type.system.odps2"
	HintDecimal2      = "odps.sql.decimal.odps2"
	HintParquetNative = "odps.ext.parquet.native"
	HintExtendedScale = "odps.sql.decimal2.extended.scale.enable"
	HintTimezone      = "odps.sql.timezone"
)

// Expression templates for the unload SELECT. Each holds one %s for the
// quoted source column and is valid in Redshift, DuckDB and PostgreSQL.
const (
	ExprAsIs       = "%s"
	ExprInteger    = "CAST(%s AS INTEGER)"
	ExprVarchar    = "CAST(%s AS VARCHAR)"
	ExprVarcharMax = "CAST(%s AS VARCHAR(65535))"
	ExprHex        = "to_hex(%s)"
	// ExprJSONSerialize is Redshift's SUPER-to-text function (the test
	// front defines it over PostgreSQL's jsonb).
	ExprJSONSerialize = "JSON_SERIALIZE(%s)"
	exprVarcharN      = "CAST(%%s AS VARCHAR(%d))"
	timestampTextLen  = 32 // "294276-12-31 23:59:59.999999 BC" fits
)

// Values of Options.TimestampAs.
const (
	TimestampAsTimestamp    = MCTimestamp
	TimestampAsDatetime     = MCDatetime
	TimestampAsTimestampNTZ = MCTimestampNTZ
)

// Options are the per-migration choices that change a mapping.
type Options struct {
	// ExtendedDecimalScale keeps DECIMAL scales above 18 (up to 38) and adds
	// odps.sql.decimal2.extended.scale.enable; without it they are rounded
	// to 18 places.
	ExtendedDecimalScale bool
	// TimestampAs is the MaxCompute type for Redshift TIMESTAMP (without
	// time zone): TIMESTAMP (the default when empty), DATETIME (keeps only
	// milliseconds), or TIMESTAMP_NTZ (wall-clock like Redshift, but loaded
	// through a staging table because Parquet cannot carry it).
	TimestampAs string
}

// Validate reports an Options value Map cannot honour.
func (o Options) Validate() error {
	switch o.TimestampAs {
	case "", TimestampAsTimestamp, TimestampAsDatetime, TimestampAsTimestampNTZ:
		return nil
	}
	return fmt.Errorf("timestamp_as %q: want %s, %s or %s", o.TimestampAs,
		TimestampAsTimestamp, TimestampAsDatetime, TimestampAsTimestampNTZ)
}

// Mapping is the decision for one Redshift column type: what the unload
// writes, what the MaxCompute table gets, and what the user should know.
type Mapping struct {
	Source RedshiftType
	// Target is the MaxCompute column type of the migrated table.
	Target MCType
	// FileType is the MaxCompute type matching the Parquet column the
	// unload expression writes. When DirectLoad(FileType, Target) is false
	// the load goes through a staging table of FileType and a CAST.
	FileType MCType
	// Expr is the unload SELECT template; %s stands for the quoted source
	// column and ExprAsIs means no conversion.
	Expr string
	// Exact is true when every Redshift value arrives unchanged.
	Exact bool
	// Note says in one sentence why the mapping is lossy or what to know.
	Note string
	// Hints are the MaxCompute settings this column needs beyond the 2.0
	// type system; nil when there are none.
	Hints map[string]string
	// Unsupported is non-nil when the type cannot be migrated; the other
	// fields except Source are then empty.
	Unsupported error
}

// Map decides how a Redshift column type is migrated, following the
// recommended targets of the type mapping: exact where MaxCompute has the
// type, text where it does not.
func Map(t RedshiftType, opts Options) Mapping {
	m := Mapping{Source: t}
	if err := opts.Validate(); err != nil {
		m.Unsupported = err
		return m
	}
	if err := checkCanonical(t); err != nil {
		m.Unsupported = err
		return m
	}
	switch t.Base {
	case RedshiftSmallint:
		m.set(mc(MCInt), ExprInteger, true,
			"Widened to INT, because Redshift writes SMALLINT to Parquet as plain INT32, which MaxCompute reads only into INT.")
	case RedshiftInteger:
		m.set(mc(MCInt), ExprAsIs, true, "")
	case RedshiftBigint:
		m.set(mc(MCBigint), ExprAsIs, true, "")
	case RedshiftDecimal:
		mapDecimal(&m, opts)
	case RedshiftReal:
		m.set(mc(MCFloat), ExprAsIs, true, "")
	case RedshiftDouble:
		m.set(mc(MCDouble), ExprAsIs, true, "")
	case RedshiftBoolean:
		m.set(mc(MCBoolean), ExprAsIs, true, "")
	case RedshiftChar:
		if t.Length <= MCMaxCharLength {
			m.set(MCType{Name: MCChar, Length: t.Length}, ExprAsIs, true,
				"Values keep Redshift's trailing blanks, which MaxCompute CHAR pads and ignores in comparisons as Redshift does.")
		} else {
			m.set(mc(MCString), ExprAsIs, true,
				fmt.Sprintf("MaxCompute CHAR holds at most %d, so STRING is used, which keeps the trailing blanks Redshift ignores in comparisons.", MCMaxCharLength))
		}
		m.FileType = mc(MCString)
	case RedshiftVarchar:
		m.set(mc(MCString), ExprAsIs, true, "")
	case RedshiftDate:
		m.set(mc(MCDate), ExprAsIs, true,
			"Redshift dates before 0001-01-01 or after 9999-12-31 fail to load.")
	case RedshiftTimestamp:
		mapTimestamp(&m, opts)
	case RedshiftTimestamptz:
		m.set(mc(MCTimestamp), ExprAsIs, true,
			"The UTC instant is kept and the original offset is lost, as in Redshift, and MaxCompute shows it in the session time zone.")
		m.Hints = map[string]string{HintTimezone: "UTC"}
	case RedshiftTime:
		m.setText(ExprVarchar, "MaxCompute has no TIME type, so values become text such as 13:45:30.123456.")
	case RedshiftTimetz:
		m.setText(ExprVarchar, "MaxCompute has no TIME type, so values become text with their offset, such as 13:45:30+00.")
	case RedshiftSuper:
		// JSON_SERIALIZE makes the file column plain text, which both
		// LOAD and the verification compare as written.
		m.set(mc(MCString), ExprJSONSerialize, true,
			"Values are kept as JSON text, values over 8 MB (Redshift allows 16 MB) fail to load, and a JSON column needs a staging table and JSON_PARSE.")
	case RedshiftVarbyte:
		note := "Redshift cannot write VARBYTE to Parquet, so bytes become hexadecimal text twice as long."
		if 2*t.Length > redshiftMaxVarcharLen {
			note = "Redshift cannot write VARBYTE to Parquet, so bytes become hexadecimal text twice as long, and values over 32767 bytes fail because the text exceeds 65535 bytes."
		}
		m.setText(ExprHex, note)
	case RedshiftGeometry, RedshiftGeography:
		m.setText(ExprVarcharMax,
			"Redshift cannot write spatial types to Parquet, so shapes become their text form, and shapes whose text exceeds 65535 bytes fail.")
	case RedshiftHLLSketch:
		m.setText(ExprVarcharMax,
			"The sketch becomes its Base64 or JSON text, which MaxCompute cannot use as a sketch; unload hll_cardinality(...) in a view if the count is what matters.")
	case RedshiftIntervalYM, RedshiftIntervalDS:
		m.setText(ExprVarchar,
			"MaxCompute interval types cannot be table columns, so values become Redshift's text form of the interval.")
	}
	return m
}

// checkCanonical refuses a hand-built RedshiftType that ParseRedshift would
// not produce, so Map never emits a type like DECIMAL(0,0).
func checkCanonical(t RedshiftType) error {
	back, err := ParseRedshift(t.String())
	if err != nil {
		return err
	}
	if back != t {
		return &UnsupportedError{Type: t.String(), Reason: fmt.Sprintf("not a canonical Redshift type (%#v)", t)}
	}
	return nil
}

// set fills a mapping whose file column has the target's own type.
func (m *Mapping) set(target MCType, expr string, exact bool, note string) {
	m.Target, m.FileType, m.Expr, m.Exact, m.Note = target, target, expr, exact, note
}

// setText fills a lossy mapping to STRING through a text expression.
func (m *Mapping) setText(expr, note string) {
	m.set(mc(MCString), expr, false, note)
}

func mapDecimal(m *Mapping, opts Options) {
	t := m.Source
	d := MCType{Name: MCDecimal, Precision: t.Precision, Scale: t.Scale}
	native := map[string]string{HintParquetNative: "true"}
	switch {
	case t.Scale <= MCMaxDecimalScale:
		m.set(d, ExprAsIs, true, "Needs MaxCompute's native Parquet reader, the only one that reads DECIMAL.")
		m.Hints = native
	case opts.ExtendedDecimalScale:
		m.set(d, ExprAsIs, true,
			"A scale above 18 needs odps.sql.decimal2.extended.scale.enable on every statement and query that touches the column.")
		native[HintExtendedScale] = "true"
		m.Hints = native
	default:
		// MaxCompute cannot hold the file's DECIMAL(p,s) even in a staging
		// table, so the value travels as text and is rounded by the CAST.
		// Sign, point and a leading zero need three characters beyond p.
		m.Target = MCType{Name: MCDecimal, Precision: t.Precision, Scale: MCMaxDecimalScale}
		m.FileType = mc(MCString)
		m.Expr = fmt.Sprintf(exprVarcharN, t.Precision+3)
		m.Note = fmt.Sprintf("Scale %d exceeds MaxCompute's default limit of 18, so values are rounded to 18 decimal places unless extended decimal scale is enabled.", t.Scale)
	}
}

func mapTimestamp(m *Mapping, opts Options) {
	utc := map[string]string{HintTimezone: "UTC"}
	switch opts.TimestampAs {
	case TimestampAsDatetime:
		m.set(mc(MCDatetime), ExprAsIs, false,
			"DATETIME keeps only milliseconds, so microseconds are dropped, and it shows in the session time zone, so query it with odps.sql.timezone=UTC.")
		m.Hints = utc
	case TimestampAsTimestampNTZ:
		m.Target = mc(MCTimestampNTZ)
		m.FileType = mc(MCString)
		m.Expr = fmt.Sprintf(exprVarcharN, timestampTextLen)
		m.Exact = true
		m.Note = "TIMESTAMP_NTZ cannot be read from Parquet, so values travel as text through a staging table and a CAST."
	default:
		m.set(mc(MCTimestamp), ExprAsIs, true,
			"Redshift TIMESTAMP is wall-clock time while MaxCompute TIMESTAMP is an instant shown in the session time zone, so query it with odps.sql.timezone=UTC to see the original values.")
		m.Hints = utc
	}
}

func mc(name string) MCType { return MCType{Name: name} }

// Hints merges the settings of every mapping of a table, or of a whole
// migration, with the two that every statement needs for the 2.0 types:
// odps.sql.type.system.odps2 (without it INT silently becomes BIGINT) and
// odps.sql.decimal.odps2.
func Hints(mappings []Mapping) map[string]string {
	out := map[string]string{HintTypeSystem2: "true", HintDecimal2: "true"}
	for _, m := range mappings {
		for k, v := range m.Hints {
			out[k] = v
		}
	}
	return out
}
