package parquetmeta

import (
	"bytes"
	"context"
	"testing"

	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/schema"
	"github.com/google/go-cmp/cmp"
)

// legacyColumn is one column of the legacy file: a converted_type and
// the logical type it must read as.
type legacyColumn struct {
	name      string
	rep       parquet.Repetition
	typ       parquet.Type
	conv      schema.ConvertedType
	typeLen   int
	prec, scl int
	want      LogicalType
}

var legacyColumns = []legacyColumn{
	{name: "b", typ: parquet.Types.Boolean, conv: schema.ConvertedTypes.None},
	{name: "i32", typ: parquet.Types.Int32, conv: schema.ConvertedTypes.None},
	{name: "i64", typ: parquet.Types.Int64, conv: schema.ConvertedTypes.None},
	{name: "i96", typ: parquet.Types.Int96, conv: schema.ConvertedTypes.None},
	{name: "f", typ: parquet.Types.Float, conv: schema.ConvertedTypes.None},
	{name: "d", typ: parquet.Types.Double, conv: schema.ConvertedTypes.None},
	{name: "ba", typ: parquet.Types.ByteArray, conv: schema.ConvertedTypes.None},
	{name: "fl", typ: parquet.Types.FixedLenByteArray, conv: schema.ConvertedTypes.None, typeLen: 5},
	{name: "utf8", typ: parquet.Types.ByteArray, conv: schema.ConvertedTypes.UTF8, want: LogicalType{Kind: LogicalString}},
	{name: "json", typ: parquet.Types.ByteArray, conv: schema.ConvertedTypes.JSON, want: LogicalType{Kind: LogicalJSON}},
	{name: "bson", typ: parquet.Types.ByteArray, conv: schema.ConvertedTypes.BSON, want: LogicalType{Kind: LogicalBSON}},
	{name: "enum", typ: parquet.Types.ByteArray, conv: schema.ConvertedTypes.Enum, want: LogicalType{Kind: LogicalEnum}},
	{name: "dec9", typ: parquet.Types.Int32, conv: schema.ConvertedTypes.Decimal, prec: 9, scl: 2,
		want: LogicalType{Kind: LogicalDecimal, Precision: 9, Scale: 2}},
	{name: "dec18", typ: parquet.Types.Int64, conv: schema.ConvertedTypes.Decimal, prec: 18, scl: 4,
		want: LogicalType{Kind: LogicalDecimal, Precision: 18, Scale: 4}},
	{name: "dec38", typ: parquet.Types.FixedLenByteArray, typeLen: 16, conv: schema.ConvertedTypes.Decimal, prec: 38, scl: 10,
		want: LogicalType{Kind: LogicalDecimal, Precision: 38, Scale: 10}},
	{name: "decba", typ: parquet.Types.ByteArray, conv: schema.ConvertedTypes.Decimal, prec: 50, scl: 5,
		want: LogicalType{Kind: LogicalDecimal, Precision: 50, Scale: 5}},
	{name: "date", typ: parquet.Types.Int32, conv: schema.ConvertedTypes.Date, want: LogicalType{Kind: LogicalDate}},
	// arrow-go reads the legacy TIME and TIMESTAMP annotations as
	// adjusted to UTC, as parquet-format's compatibility rules say.
	{name: "tms", typ: parquet.Types.Int32, conv: schema.ConvertedTypes.TimeMillis,
		want: LogicalType{Kind: LogicalTime, Unit: Millis, AdjustedToUTC: true}},
	{name: "tus", typ: parquet.Types.Int64, conv: schema.ConvertedTypes.TimeMicros,
		want: LogicalType{Kind: LogicalTime, Unit: Micros, AdjustedToUTC: true}},
	{name: "tsms", typ: parquet.Types.Int64, conv: schema.ConvertedTypes.TimestampMillis,
		want: LogicalType{Kind: LogicalTimestamp, Unit: Millis, AdjustedToUTC: true}},
	{name: "tsus", typ: parquet.Types.Int64, conv: schema.ConvertedTypes.TimestampMicros,
		want: LogicalType{Kind: LogicalTimestamp, Unit: Micros, AdjustedToUTC: true}},
	{name: "int8", typ: parquet.Types.Int32, conv: schema.ConvertedTypes.Int8, want: LogicalType{Kind: LogicalInteger, BitWidth: 8, Signed: true}},
	{name: "int16", typ: parquet.Types.Int32, conv: schema.ConvertedTypes.Int16, want: LogicalType{Kind: LogicalInteger, BitWidth: 16, Signed: true}},
	{name: "int32", typ: parquet.Types.Int32, conv: schema.ConvertedTypes.Int32, want: LogicalType{Kind: LogicalInteger, BitWidth: 32, Signed: true}},
	{name: "int64", typ: parquet.Types.Int64, conv: schema.ConvertedTypes.Int64, want: LogicalType{Kind: LogicalInteger, BitWidth: 64, Signed: true}},
	{name: "uint8", typ: parquet.Types.Int32, conv: schema.ConvertedTypes.Uint8, want: LogicalType{Kind: LogicalInteger, BitWidth: 8}},
	{name: "uint16", typ: parquet.Types.Int32, conv: schema.ConvertedTypes.Uint16, want: LogicalType{Kind: LogicalInteger, BitWidth: 16}},
	{name: "uint32", typ: parquet.Types.Int32, conv: schema.ConvertedTypes.Uint32, want: LogicalType{Kind: LogicalInteger, BitWidth: 32}},
	{name: "uint64", typ: parquet.Types.Int64, conv: schema.ConvertedTypes.Uint64, want: LogicalType{Kind: LogicalInteger, BitWidth: 64}},
	{name: "interval", typ: parquet.Types.FixedLenByteArray, typeLen: 12, conv: schema.ConvertedTypes.Interval,
		want: LogicalType{Kind: LogicalInterval}},
	{name: "req", rep: parquet.Repetitions.Required, typ: parquet.Types.ByteArray, conv: schema.ConvertedTypes.UTF8,
		want: LogicalType{Kind: LogicalString}},
}

// legacySchema is every converted_type a leaf can have, and a LIST and a
// MAP group in the legacy three-level layout. Field ids are set on every
// other column.
func legacySchema(t testing.TB) *schema.GroupNode {
	t.Helper()
	var fields schema.FieldList
	for i, c := range legacyColumns {
		rep := c.rep
		if c.name != "req" {
			rep = parquet.Repetitions.Optional
		}
		id := int32(-1)
		if i%2 == 0 {
			id = int32(100 + i)
		}
		n, err := schema.NewPrimitiveNodeConverted(c.name, rep, c.typ, c.conv, c.typeLen, c.prec, c.scl, id)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		fields = append(fields, n)
	}
	element := schema.MustPrimitive(schema.NewPrimitiveNodeConverted("element", parquet.Repetitions.Optional,
		parquet.Types.Int32, schema.ConvertedTypes.Int16, 0, 0, 0, -1))
	list := schema.MustGroup(schema.NewGroupNode("list", parquet.Repetitions.Repeated, schema.FieldList{element}, -1))
	fields = append(fields, schema.MustGroup(schema.NewGroupNodeConverted("tags", parquet.Repetitions.Optional,
		schema.FieldList{list}, schema.ConvertedTypes.List, 7)))
	key := schema.MustPrimitive(schema.NewPrimitiveNodeConverted("key", parquet.Repetitions.Required,
		parquet.Types.ByteArray, schema.ConvertedTypes.UTF8, 0, 0, 0, -1))
	value := schema.MustPrimitive(schema.NewPrimitiveNodeConverted("value", parquet.Repetitions.Optional,
		parquet.Types.Int64, schema.ConvertedTypes.Uint64, 0, 0, 0, -1))
	kv := schema.MustGroup(schema.NewGroupNodeConverted("key_value", parquet.Repetitions.Repeated,
		schema.FieldList{key, value}, schema.ConvertedTypes.MapKeyValue, -1))
	fields = append(fields, schema.MustGroup(schema.NewGroupNodeConverted("attrs", parquet.Repetitions.Optional,
		schema.FieldList{kv}, schema.ConvertedTypes.Map, -1)))
	return schema.MustGroup(schema.NewGroupNode("schema", parquet.Repetitions.Required, fields, -1))
}

// writeLegacy writes rowGroups row groups of rows rows each with
// arrow-go's file writer, every list and map holding one entry.
func writeLegacy(t testing.TB, root *schema.GroupNode, rowGroups, rows int) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := file.NewParquetWriter(&buf, root)
	for range rowGroups {
		rg := w.AppendRowGroup()
		for range w.NumColumns() {
			cw, err := rg.NextColumn()
			if err != nil {
				t.Fatal(err)
			}
			def := make([]int16, rows)
			for i := range def {
				def[i] = cw.Descr().MaxDefinitionLevel()
			}
			var rep []int16
			if cw.Descr().MaxRepetitionLevel() > 0 {
				rep = make([]int16, rows)
			}
			switch cw := cw.(type) {
			case *file.BooleanColumnChunkWriter:
				_, err = cw.WriteBatch(make([]bool, rows), def, rep)
			case *file.Int32ColumnChunkWriter:
				_, err = cw.WriteBatch(make([]int32, rows), def, rep)
			case *file.Int64ColumnChunkWriter:
				_, err = cw.WriteBatch(make([]int64, rows), def, rep)
			case *file.Int96ColumnChunkWriter:
				_, err = cw.WriteBatch(make([]parquet.Int96, rows), def, rep)
			case *file.Float32ColumnChunkWriter:
				_, err = cw.WriteBatch(make([]float32, rows), def, rep)
			case *file.Float64ColumnChunkWriter:
				_, err = cw.WriteBatch(make([]float64, rows), def, rep)
			case *file.ByteArrayColumnChunkWriter:
				_, err = cw.WriteBatch(make([]parquet.ByteArray, rows), def, rep)
			case *file.FixedLenByteArrayColumnChunkWriter:
				v := make([]parquet.FixedLenByteArray, rows)
				for i := range v {
					v[i] = make([]byte, cw.Descr().TypeLength())
				}
				_, err = cw.WriteBatch(v, def, rep)
			default:
				t.Fatalf("no values for a %T", cw)
			}
			if err == nil {
				err = cw.Close()
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		if err := rg.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// withoutLogicalTypes re-encodes a footer with every schema element's
// logicalType removed, as a writer from before logical types would have
// written it.
func withoutLogicalTypes(t testing.TB, footer []byte) []byte {
	t.Helper()
	meta, err := metadata.NewFileMetaData(footer, nil)
	if err != nil {
		t.Fatal(err)
	}
	removed := 0
	for _, e := range meta.FileMetaData.Schema {
		if e.IsSetLogicalType() {
			e.LogicalType = nil
			removed++
		}
	}
	if removed == 0 {
		t.Fatal("arrow-go wrote no logicalType to remove; the test would prove nothing about converted types")
	}
	out, err := meta.Serialize(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestLegacyConvertedTypes writes a file with arrow-go's writer, removes
// the logicalTypes it writes next to the converted_types, and requires
// Decode to derive from converted_type alone what arrow-go derives, and
// what the file said with its logicalTypes.
func TestLegacyConvertedTypes(t *testing.T) {
	full := footerOf(t, writeLegacy(t, legacySchema(t), 3, 4))
	legacy := withoutLogicalTypes(t, full)
	got := sameAsArrow(t, legacy)
	if got.NumRows != 12 {
		t.Errorf("NumRows = %d, want 12", got.NumRows)
	}
	if len(got.Columns) != len(legacyColumns)+3 {
		t.Fatalf("%d columns, want %d", len(got.Columns), len(legacyColumns)+3)
	}
	for i, c := range legacyColumns {
		want := c.want
		want.FromConverted = want.Kind != LogicalNone
		if g := got.Columns[i]; g.Name != c.name || g.Logical != want {
			t.Errorf("column %d %s: got %s %+v, want %s %+v", i, c.name, g.Name, g.Logical, c.name, want)
		}
	}
	// With the logicalTypes arrow-go wrote, the columns are the same
	// but for FromConverted.
	withLogical := sameAsArrow(t, full)
	clear := func(f *Footer) []Column {
		var out []Column
		for _, c := range f.Columns {
			c.Logical.FromConverted = false
			out = append(out, c)
		}
		return out
	}
	if diff := cmp.Diff(clear(withLogical), clear(got)); diff != "" {
		t.Errorf("converted_type and logicalType read differently (-logicalType +converted_type):\n%s", diff)
	}
}
