package parquetmeta

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"testing"

	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/schema"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// This file is the reference: what arrow-go, which ferry used to decode
// footers with, makes of the same bytes. arrow-go is imported by tests
// only, so that it stays out of the ferry binary.

// arrowDecode decodes a footer with arrow-go and restates the result as
// a Footer. Where arrow-go panics, or returns a FileMetaData without a
// schema (it drops schema errors), that is an error here.
func arrowDecode(footer []byte) (f *Footer, err error) {
	defer func() {
		if p := recover(); p != nil {
			f, err = nil, fmt.Errorf("arrow-go panicked: %v", p)
		}
	}()
	meta, err := metadata.NewFileMetaData(footer, nil)
	if err != nil {
		return nil, err
	}
	if meta.Schema == nil {
		return nil, errors.New("arrow-go could not build the schema")
	}
	// Which schema elements had a logicalType: arrow-go does not say
	// whether it derived one from converted_type (but for timestamps).
	var hadLogical []bool
	for i, e := range meta.FileMetaData.Schema {
		if i > 0 && e.GetNumChildren() == 0 {
			hadLogical = append(hadLogical, e.IsSetLogicalType())
		}
	}
	f = &Footer{NumRows: meta.NumRows}
	for i := range meta.Schema.NumColumns() {
		col := meta.Schema.Column(i)
		c := Column{
			Name:       col.Name(),
			Physical:   Type(col.PhysicalType()),
			Repetition: Repetition(col.SchemaNode().RepetitionType()),
			FieldID:    col.SchemaNode().FieldID(),
		}
		if c.Physical == TypeFixedLenByteArray {
			c.TypeLength = int32(col.TypeLength())
		}
		if c.Logical, err = arrowLogical(col.LogicalType()); err != nil {
			return nil, fmt.Errorf("column %d: %w", i, err)
		}
		if c.Logical.Kind != LogicalNone && i < len(hadLogical) && !hadLogical[i] {
			c.Logical.FromConverted = true
		}
		f.Columns = append(f.Columns, c)
	}
	return f, nil
}

// arrowLogical restates an arrow-go logical type.
func arrowLogical(t schema.LogicalType) (LogicalType, error) {
	unit := func(u schema.TimeUnitType) TimeUnit {
		return map[schema.TimeUnitType]TimeUnit{schema.TimeUnitMillis: Millis, schema.TimeUnitMicros: Micros, schema.TimeUnitNanos: Nanos}[u]
	}
	switch t := t.(type) {
	case schema.NoLogicalType:
		return LogicalType{}, nil
	case schema.StringLogicalType:
		return LogicalType{Kind: LogicalString}, nil
	case schema.MapLogicalType:
		return LogicalType{Kind: LogicalMap}, nil
	case schema.ListLogicalType:
		return LogicalType{Kind: LogicalList}, nil
	case schema.EnumLogicalType:
		return LogicalType{Kind: LogicalEnum}, nil
	case schema.DecimalLogicalType:
		return LogicalType{Kind: LogicalDecimal, Precision: t.Precision(), Scale: t.Scale()}, nil
	case schema.DateLogicalType:
		return LogicalType{Kind: LogicalDate}, nil
	case schema.TimeLogicalType:
		return LogicalType{Kind: LogicalTime, Unit: unit(t.TimeUnit()), AdjustedToUTC: t.IsAdjustedToUTC()}, nil
	case schema.TimestampLogicalType:
		return LogicalType{Kind: LogicalTimestamp, Unit: unit(t.TimeUnit()), AdjustedToUTC: t.IsAdjustedToUTC()}, nil
	case schema.IntLogicalType:
		return LogicalType{Kind: LogicalInteger, BitWidth: t.BitWidth(), Signed: t.IsSigned()}, nil
	case schema.NullLogicalType:
		return LogicalType{Kind: LogicalNull}, nil
	case schema.JSONLogicalType:
		return LogicalType{Kind: LogicalJSON}, nil
	case schema.BSONLogicalType:
		return LogicalType{Kind: LogicalBSON}, nil
	case schema.UUIDLogicalType:
		return LogicalType{Kind: LogicalUUID}, nil
	case schema.Float16LogicalType:
		return LogicalType{Kind: LogicalFloat16}, nil
	case schema.VariantLogicalType:
		return LogicalType{Kind: LogicalVariant}, nil
	case schema.IntervalLogicalType:
		return LogicalType{Kind: LogicalInterval}, nil
	}
	return LogicalType{}, fmt.Errorf("arrow-go logical type %T (%s) has no counterpart", t, t)
}

// sameAsArrow decodes footer with Decode and with arrow-go, requires both
// to succeed and to agree, and returns the result.
func sameAsArrow(t *testing.T, footer []byte) *Footer {
	t.Helper()
	got, err := Decode(footer)
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	want, err := arrowDecode(footer)
	if err != nil {
		t.Fatalf("arrow-go: %v", err)
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Fatalf("Decode differs from arrow-go (-arrow +Decode):\n%s", diff)
	}
	return got
}

// footerOf returns the footer of a whole Parquet file.
func footerOf(t testing.TB, file []byte) []byte {
	t.Helper()
	if len(file) < 12 || !bytes.Equal(file[len(file)-4:], []byte("PAR1")) {
		t.Fatalf("not a Parquet file (%d bytes)", len(file))
	}
	n := int(binary.LittleEndian.Uint32(file[len(file)-8:]))
	if n+8 > len(file) {
		t.Fatalf("footer length %d exceeds the file", n)
	}
	return file[len(file)-8-n : len(file)-8]
}
