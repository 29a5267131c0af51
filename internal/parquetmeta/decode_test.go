package parquetmeta

import (
	"errors"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/schema"
)

// skipEverything writes, as field id, a value of every wire type, nested
// ones included, so that a test can put them where Decode must skip them.
func skipEverything(id int16) func(e *enc) {
	return func(e *enc) {
		e.structField(id)
		e.boolean(1, true).boolean(2, false)
		e.field(3, wireByte).raw(0x7f)
		e.field(4, wireI16).zigzag(-300)
		e.i32(5, -1<<31).i64(6, -1<<63)
		e.field(7, wireDouble).raw(0, 0, 0, 0, 0, 0, 0xf0, 0x3f) // 1.0: its last byte is no field header
		e.str(8, strings.Repeat("x", 200))
		e.list(9, wireTrue, 3).raw(1, 2, 1) // bools in a list are bytes
		e.list(10, wireBinary, 20)          // a long list: size in a varint
		for range 20 {
			e.uvarint(1).raw('y')
		}
		e.field(11, wireSet).listHeader(wireI64, 2).zigzag(1).zigzag(-1)
		e.field(12, wireMap).uvarint(2).raw(wireBinary<<4 | wireStruct)
		for _, k := range []string{"a", "b"} {
			e.uvarint(1).raw(k[0])
			e.begin().i32(1, 1).list(2, wireList, 1).listHeader(wireI32, 1).zigzag(5).end()
		}
		e.field(13, wireMap).uvarint(0) // an empty map has no types byte
		e.field(14, wireUUID).raw(make([]byte, 16)...)
		e.longField(1000, wireI32).zigzag(1) // an id too far for a delta
		e.field(-5, wireI32).zigzag(2)       // a negative id
		e.boolean(-4, true)                  // no value byte: the next is the stop
		e.end()
	}
}

func TestDecodeValid(t *testing.T) {
	ts := func(unit TimeUnit, utc bool) LogicalType {
		return LogicalType{Kind: LogicalTimestamp, Unit: unit, AdjustedToUTC: utc}
	}
	flba := func(name string, n int32) el {
		x := leaf(name, TypeFixedLenByteArray)
		x.typeLen = i32p(n)
		return x
	}
	withLogical := func(x el, l func(e *enc)) el { x.logical = l; return x }
	withConv := func(x el, c int32) el { x.conv = i32p(c); return x }
	tests := []struct {
		name   string
		footer []byte
		want   []LogicalType // of each column, in order
		arrow  bool          // arrow-go must agree
	}{{
		name: "every logical member",
		footer: footer(7, root(16),
			withLogical(leaf("s", TypeByteArray), member(1)),
			withLogical(leaf("e", TypeByteArray), member(4)),
			withLogical(leaf("d", TypeInt32), decimal(9, 9)),
			withLogical(flba("d16", 16), decimal(38, 0)),
			withLogical(leaf("day", TypeInt32), member(6)),
			withLogical(leaf("t", TypeInt32), temporal(7, false, 1)),
			withLogical(leaf("tn", TypeInt64), temporal(7, true, 3)),
			withLogical(leaf("ts", TypeInt64), temporal(8, true, 2)),
			withLogical(leaf("tsn", TypeInt64), temporal(8, false, 3)),
			withLogical(leaf("i", TypeInt32), integer(16, false)),
			withLogical(leaf("null", TypeInt32), member(11)),
			withLogical(leaf("j", TypeByteArray), member(12)),
			withLogical(leaf("bs", TypeByteArray), member(13)),
			withLogical(flba("u", 16), member(14)),
			withLogical(flba("h", 2), member(15)),
			withLogical(leaf("i64", TypeInt64), integer(64, true)),
		),
		want: []LogicalType{{Kind: LogicalString}, {Kind: LogicalEnum}, {Kind: LogicalDecimal, Precision: 9, Scale: 9},
			{Kind: LogicalDecimal, Precision: 38}, {Kind: LogicalDate}, {Kind: LogicalTime, Unit: Millis},
			{Kind: LogicalTime, Unit: Nanos, AdjustedToUTC: true}, ts(Micros, true), ts(Nanos, false),
			{Kind: LogicalInteger, BitWidth: 16}, {Kind: LogicalNull}, {Kind: LogicalJSON}, {Kind: LogicalBSON},
			{Kind: LogicalUUID}, {Kind: LogicalFloat16}, {Kind: LogicalInteger, BitWidth: 64, Signed: true}},
		arrow: true,
	}, {
		name: "unknown fields of every type are skipped everywhere",
		footer: func() []byte {
			e := (&enc{}).begin()
			skipEverything(0)(e) // before any known field: id 0
			e.i32(1, 1)
			e.list(2, wireStruct, 2)
			root(1).write(e)
			x := leaf("ts", TypeInt64)
			x.logical = func(e *enc) {
				e.structField(8).boolean(1, false)
				skipEverything(5)(e)
				e.structField(2).structField(1).end().end()
				e.end()
			}
			x.extra = skipEverything(30)
			x.write(e)
			e.i64(3, 42)
			e.list(4, wireStruct, 1)
			rowGroup(e)
			skipEverything(5)(e)
			e.str(6, "created by a test")
			skipEverything(200)(e)
			return e.end().b
		}(),
		want:  []LogicalType{ts(Millis, false)},
		arrow: true,
	}, {
		name: "fields out of order, ids in full",
		footer: func() []byte {
			e := (&enc{}).begin()
			e.longField(4, wireList).listHeader(wireStruct, 0)
			e.longField(3, wireI64).zigzag(5)
			e.longField(2, wireList).listHeader(wireStruct, 2)
			e.begin().longField(5, wireI32).zigzag(1).longField(4, wireBinary).uvarint(1).raw('r').end()
			e.begin().longField(4, wireBinary).uvarint(1).raw('c').longField(1, wireI32).zigzag(1).end()
			e.longField(1, wireI32).zigzag(1)
			return e.end().b
		}(),
		want:  []LogicalType{{}},
		arrow: true,
	}, {
		name: "converted types with logicalType absent",
		footer: footer(1, root(6),
			withConv(leaf("s", TypeByteArray), convUTF8),
			func() el {
				x := withConv(leaf("d", TypeInt64), convDecimal)
				x.precision, x.scale = i32p(12), i32p(3)
				return x
			}(),
			withConv(leaf("ts", TypeInt64), convTimestampMillis),
			withConv(leaf("u16", TypeInt32), convUint16),
			withConv(flba("iv", 12), convInterval),
			// logicalType wins over converted_type, as in arrow-go.
			withLogical(withConv(leaf("both", TypeInt64), convTimestampMillis), temporal(8, false, 2)),
		),
		want: []LogicalType{{Kind: LogicalString, FromConverted: true},
			{Kind: LogicalDecimal, Precision: 12, Scale: 3, FromConverted: true},
			{Kind: LogicalTimestamp, Unit: Millis, AdjustedToUTC: true, FromConverted: true},
			{Kind: LogicalInteger, BitWidth: 16, FromConverted: true},
			{Kind: LogicalInterval, FromConverted: true},
			ts(Micros, false)},
		arrow: true,
	}, {
		name: "nested groups, leaves in depth-first order",
		footer: footer(0, root(2),
			withConv(el{name: "l", children: i32p(1)}, convList),
			el{name: "list", children: i32p(1), rep: i32p(int32(Repeated))},
			withLogical(el{name: "inner", children: i32p(2)}, member(3)),
			leaf("a", TypeInt32),
			el{name: "deeper", children: i32p(1)},
			leaf("b", TypeDouble),
			withConv(leaf("c", TypeByteArray), convJSON),
		),
		want:  []LogicalType{{}, {}, {Kind: LogicalJSON, FromConverted: true}},
		arrow: true,
	}, {
		name:   "a root without children is a file without columns",
		footer: footer(0, el{name: "schema"}),
		arrow:  true,
	}, {
		name: "a duplicate schema field replaces the first",
		footer: func() []byte {
			e := (&enc{}).begin()
			e.list(2, wireStruct, 2)
			root(1).write(e)
			leaf("first", TypeInt32).write(e)
			e.i32(1, 1)
			e.list(2, wireStruct, 2)
			root(1).write(e)
			withLogical(leaf("second", TypeByteArray), member(1)).write(e)
			e.i64(3, 0).list(4, wireStruct, 0)
			return e.end().b
		}(),
		want:  []LogicalType{{Kind: LogicalString}},
		arrow: true,
	}, {
		name: "members parquet.thrift added later",
		footer: footer(0, root(3),
			withLogical(leaf("g", TypeByteArray), func(e *enc) { e.structField(17).str(1, "OGC:CRS84").end() }),
			withLogical(leaf("future", TypeInt64), func(e *enc) { e.structField(40).i32(1, 1).end() }),
			withLogical(el{name: "v", children: i32p(1)}, func(e *enc) {
				e.structField(16).field(1, wireByte).raw(1).end()
			}),
			leaf("metadata", TypeByteArray),
		),
		// arrow-go 18.5 panics on GEOMETRY and on members it does not
		// know.
		want: []LogicalType{{Kind: LogicalGeometry}, {Kind: LogicalUnrecognized}, {}},
	}, {
		name:   "bytes after the FileMetaData are ignored",
		footer: append(footer(3, root(1), leaf("a", TypeBoolean)), "signature"...),
		want:   []LogicalType{{}},
		arrow:  true,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got *Footer
			if tt.arrow {
				got = sameAsArrow(t, tt.footer)
			} else {
				var err error
				if got, err = Decode(tt.footer); err != nil {
					t.Fatal(err)
				}
			}
			if len(got.Columns) != len(tt.want) {
				t.Fatalf("%d columns, want %d: %+v", len(got.Columns), len(tt.want), got.Columns)
			}
			for i, c := range got.Columns {
				if c.Logical != tt.want[i] {
					t.Errorf("column %d %q: %+v, want %+v", i, c.Name, c.Logical, tt.want[i])
				}
			}
		})
	}
}

// rowGroup writes a RowGroup without columns (arrow-go checks its
// required fields) holding a value of every wire type in a field
// parquet.thrift does not define.
func rowGroup(e *enc) {
	e.begin()
	e.list(1, wireStruct, 0).i64(2, 0).i64(3, 42)
	skipEverything(20)(e)
	e.end()
}

func TestDecodeInvalid(t *testing.T) {
	flba := func(n int32) el {
		x := leaf("f", TypeFixedLenByteArray)
		x.typeLen = i32p(n)
		return x
	}
	withLogical := func(x el, l func(e *enc)) el { x.logical = l; return x }
	withConv := func(x el, c int32) el { x.conv = i32p(c); return x }
	one := func(x el) []byte { return footer(1, root(1), x) }
	nested := func(depth int) []byte {
		e := (&enc{}).begin()
		e.field(20, wireList)
		for range depth {
			e.listHeader(wireList, 1)
		}
		e.listHeader(wireI32, 0)
		return e.end().b
	}
	tests := []struct {
		name, footer, wantErr string
		offset                int // -1: not checked
	}{
		{"empty", "", "footer ends inside FileMetaData", 0},
		{"no stop byte", func() string { b := footer(1, root(0)); return string(b[:len(b)-1]) }(),
			"footer ends inside FileMetaData", -1},
		{"truncated name", string(footer(1, root(0))[:8]), "length 6 of name exceeds the 2 bytes left", 5},
		{"list longer than the footer", string((&enc{}).begin().list(2, wireStruct, 1<<30).b),
			"size 1073741824 of schema exceeds the 0 bytes left", 2},
		{"short list longer than the footer", string((&enc{}).begin().list(7, wireI32, 9).raw(1).b),
			"size 9 of a list exceeds the 1 bytes left", 1},
		{"list size out of range", string((&enc{}).begin().field(7, wireList).raw(0xf0 | wireI32).uvarint(1 << 40).b),
			"size 1099511627776 of a list is out of range", 2},
		{"binary longer than the footer", string((&enc{}).begin().field(6, wireBinary).uvarint(1 << 31).b),
			"length 2147483648 of a binary is out of range", 1},
		{"varint too long", string((&enc{}).begin().field(3, wireI64).raw(bytesOf(0xff, 10)...).raw(1).b),
			"varint of num_rows overflows 64 bits", 1},
		{"i32 too big", string((&enc{}).begin().field(1, wireI32).uvarint(1 << 33).b),
			"varint of version overflows 32 bits", 1},
		{"field id out of range", string((&enc{}).begin().raw(wireI32).zigzag(40000).b), "field id 40000 of FileMetaData is out of range", 0},
		{"unknown wire type", string((&enc{}).begin().raw(0x1e).b), "field header of FileMetaData has unknown type 14", 0},
		{"map of stops", string((&enc{}).begin().field(9, wireMap).uvarint(1).raw(0x00).b), "map has keys of stop", 1},
		{"list of stops", string((&enc{}).begin().field(9, wireList).raw(0x10, 0).b), "a list has elements of stop", 1},
		{"nesting", string(nested(100)), "nests deeper than 64 levels", -1},
		{"wrong wire type", string((&enc{}).begin().field(3, wireBinary).b), "field 3 (num_rows) is a binary, want i64", 0},
		{"no version", func() string {
			e := (&enc{}).begin().list(2, wireStruct, 1)
			root(0).write(e)
			return string(e.i64(3, 1).list(4, wireStruct, 0).end().b)
		}(), "FileMetaData has no version", 0},
		{"no row_groups", string((&enc{}).begin().i32(1, 1).list(2, wireStruct, 1).raw(0x48, 0, 0).i64(3, 1).end().b),
			"FileMetaData has no row_groups", 0},
		{"no schema", string((&enc{}).begin().i32(1, 1).i64(3, 1).list(4, wireStruct, 0).end().b), "FileMetaData has no schema", 0},
		{"negative rows", string(footer(-1, root(0))), "num_rows is -1", -1},
		{"empty schema", string(footer(0)), "schema is empty", 3},
		{"schema of integers", string((&enc{}).begin().list(2, wireI32, 1).zigzag(1).b), "schema is a list of i32, want struct", 1},
		{"no name", string(footer(1, root(1), el{noName: true, typ: i32p(1)})), `schema element 1: SchemaElement has no name`, -1},
		{"negative children", string(footer(1, el{name: "r", children: i32p(-1)})), `schema element 0 ("r"): num_children is -1`, -1},
		{"unknown repetition", string(one(el{name: "c", typ: i32p(1), rep: i32p(3)})), "unknown repetition_type 3", -1},
		{"elements beyond the tree", string(footer(1, root(1), leaf("a", TypeInt32), leaf("b", TypeInt32))),
			`schema element 2 ("b"): element lies outside the tree`, -1},
		{"root without children, then more", string(footer(1, el{name: "r"}, leaf("a", TypeInt32))),
			"the root has no children but 1 elements follow it", -1},
		{"missing children", string(footer(1, root(3), leaf("a", TypeInt32))), "schema ends with 1 groups still missing children", -1},
		{"leaf without type", string(one(el{name: "c"})), `schema element 1 ("c"): leaf column has no physical type`, -1},
		{"unknown physical type", string(one(el{name: "c", typ: i32p(8)})), "unknown physical type 8", -1},
		{"FLBA without length", string(one(leaf("f", TypeFixedLenByteArray))), "FIXED_LEN_BYTE_ARRAY has type_length 0", -1},
		{"empty union", string(one(withLogical(leaf("c", TypeInt32), func(*enc) {}))), "logicalType has no member", -1},
		{"two members", string(one(withLogical(leaf("c", TypeByteArray), func(e *enc) { member(1)(e); member(12)(e) }))),
			"logicalType has two members, STRING and JSON", -1},
		{"member not a struct", string(one(withLogical(leaf("c", TypeByteArray), func(e *enc) { e.i32(1, 1) }))),
			"field 1 (STRING) is a i32, want struct", -1},
		{"unknown time unit", string(one(withLogical(leaf("c", TypeInt64), temporal(8, true, 4)))), "unknown time unit (member 4)", -1},
		{"no time unit", string(one(withLogical(leaf("c", TypeInt64), func(e *enc) { e.structField(8).boolean(1, true).end() }))),
			"TIMESTAMP needs both isAdjustedToUTC and unit", -1},
		{"two time units", string(one(withLogical(leaf("c", TypeInt64), func(e *enc) {
			e.structField(8).boolean(1, true).structField(2).structField(1).end().structField(2).end().end().end()
		}))), "time unit is both MILLIS and MICROS", -1},
		{"decimal without scale", string(one(withLogical(leaf("c", TypeInt32), func(e *enc) { e.structField(5).i32(2, 3).end() }))),
			"DECIMAL needs both scale and precision", -1},
		{"decimal precision 0", string(one(withLogical(leaf("c", TypeByteArray), decimal(0, 0)))), "DECIMAL precision 0 is not positive", -1},
		{"decimal scale over precision", string(one(withLogical(leaf("c", TypeByteArray), decimal(3, 4)))),
			"DECIMAL scale 4 is outside 0 to precision 3", -1},
		{"decimal too wide for INT32", string(one(withLogical(leaf("c", TypeInt32), decimal(10, 2)))),
			"logicalType DECIMAL(10,2) cannot annotate INT32", -1},
		{"decimal too wide for FLBA(8)", string(one(withLogical(flba(8), decimal(19, 0)))),
			"logicalType DECIMAL(19,0) cannot annotate FIXED_LEN_BYTE_ARRAY(8)", -1},
		{"timestamp on INT96", string(one(withLogical(leaf("c", TypeInt96), temporal(8, false, 3)))),
			"logicalType TIMESTAMP(NANOS) cannot annotate INT96", -1},
		{"time millis on INT64", string(one(withLogical(leaf("c", TypeInt64), temporal(7, false, 1)))),
			"logicalType TIME(MILLIS) cannot annotate INT64", -1},
		{"integer width 7", string(one(withLogical(leaf("c", TypeInt32), integer(7, true)))), "INTEGER has bitWidth 7", -1},
		{"integer 64 on INT32", string(one(withLogical(leaf("c", TypeInt32), integer(64, true)))),
			"logicalType INTEGER(64,signed) cannot annotate INT32", -1},
		{"uuid of 15 bytes", string(one(withLogical(flba(15), member(14)))), "logicalType UUID cannot annotate FIXED_LEN_BYTE_ARRAY(15)", -1},
		{"string on a group", string(footer(1, root(1), withLogical(el{name: "g", children: i32p(1)}, member(1)), leaf("a", TypeInt32))),
			`schema element 1 ("g"): logicalType STRING cannot annotate a group`, -1},
		{"list on a leaf", string(one(withLogical(leaf("c", TypeInt32), member(3)))), "logicalType LIST annotates groups, not leaf columns", -1},
		{"UTF8 on a group", string(footer(1, root(1), withConv(el{name: "g", children: i32p(1)}, convUTF8), leaf("a", TypeInt32))),
			"converted_type UTF8 cannot annotate a group", -1},
		{"LIST on a leaf", string(one(withConv(leaf("c", TypeInt32), convList))), "converted_type LIST annotates groups, not leaf columns", -1},
		{"unknown converted type", string(one(withConv(leaf("c", TypeInt32), 22))), "unknown converted_type 22", -1},
		{"converted type -1", string(one(withConv(leaf("c", TypeInt32), -1))), "unknown converted_type -1", -1},
		{"UTF8 on INT32", string(one(withConv(leaf("c", TypeInt32), convUTF8))), "converted_type UTF8 cannot annotate INT32", -1},
		{"INTERVAL of 11 bytes", string(one(withConv(flba(11), convInterval))),
			"converted_type INTERVAL cannot annotate FIXED_LEN_BYTE_ARRAY(11)", -1},
		{"DECIMAL without precision", string(one(withConv(leaf("c", TypeInt32), convDecimal))), "DECIMAL precision 0 is not positive", -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Decode([]byte(tt.footer))
			if err == nil || f != nil {
				t.Fatalf("Decode = %+v, %v; want an error", f, err)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q, want it to contain %q", err, tt.wantErr)
			}
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v is not a *FormatError", err)
			}
			if tt.offset >= 0 && fe.Offset != tt.offset {
				t.Errorf("error at byte %d, want %d", fe.Offset, tt.offset)
			}
			if fe.Offset < 0 || fe.Offset > len(tt.footer) {
				t.Errorf("error at byte %d of a %d-byte footer", fe.Offset, len(tt.footer))
			}
		})
	}
}

func bytesOf(b byte, n int) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = b
	}
	return out
}

// TestDecimalWidth checks the widest DECIMAL each FIXED_LEN_BYTE_ARRAY
// length holds against arrow-go's rule.
func TestDecimalWidth(t *testing.T) {
	for n := int32(1); n <= 128; n++ {
		max := maxDecimalDigits(n)
		for _, p := range []int64{max, max + 1} {
			if p > 1<<31-1 {
				continue
			}
			arrow := schema.NewDecimalLogicalType(int32(p), 0).IsApplicable(parquet.Types.FixedLenByteArray, n)
			if mine := p <= max; mine != arrow {
				t.Errorf("DECIMAL(%d) in FIXED_LEN_BYTE_ARRAY(%d): Decode says %v, arrow-go %v", p, n, mine, arrow)
			}
		}
	}
	if got := maxDecimalDigits(16); got != 38 {
		t.Errorf("16 bytes hold %d digits, want 38", got)
	}
}
