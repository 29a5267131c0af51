package parquetmeta

import "encoding/binary"

// enc writes Thrift compact protocol by hand, so that tests can build
// footers no Parquet writer would: every field is written where and how
// the test says.
type enc struct {
	b    []byte
	last []int16 // previous field id of each open struct
}

// begin opens a struct (after its field header, or at the top).
func (e *enc) begin() *enc { e.last = append(e.last, 0); return e }

// end writes a struct's stop byte.
func (e *enc) end() *enc {
	e.b = append(e.b, 0)
	e.last = e.last[:len(e.last)-1]
	return e
}

// field writes a field header, with a delta when it fits.
func (e *enc) field(id int16, wire byte) *enc {
	top := &e.last[len(e.last)-1]
	if d := id - *top; d > 0 && d <= 15 {
		e.b = append(e.b, byte(d)<<4|wire)
	} else {
		e.b = append(e.b, wire)
		e.zigzag(int64(id))
	}
	*top = id
	return e
}

// longField writes a field header with the id in full.
func (e *enc) longField(id int16, wire byte) *enc {
	e.b = append(e.b, wire)
	e.zigzag(int64(id))
	e.last[len(e.last)-1] = id
	return e
}

func (e *enc) uvarint(v uint64) *enc { e.b = binary.AppendUvarint(e.b, v); return e }
func (e *enc) zigzag(v int64) *enc   { return e.uvarint(uint64(v<<1) ^ uint64(v>>63)) }
func (e *enc) raw(b ...byte) *enc    { e.b = append(e.b, b...); return e }

func (e *enc) i32(id int16, v int32) *enc { return e.field(id, wireI32).zigzag(int64(v)) }
func (e *enc) i64(id int16, v int64) *enc { return e.field(id, wireI64).zigzag(v) }
func (e *enc) str(id int16, s string) *enc {
	e.field(id, wireBinary).uvarint(uint64(len(s)))
	e.b = append(e.b, s...)
	return e
}

func (e *enc) boolean(id int16, v bool) *enc {
	if v {
		return e.field(id, wireTrue)
	}
	return e.field(id, wireFalse)
}

// list writes a list field's header; the caller writes the n elements.
func (e *enc) list(id int16, elem byte, n int) *enc {
	e.field(id, wireList)
	return e.listHeader(elem, n)
}

func (e *enc) listHeader(elem byte, n int) *enc {
	if n < 15 {
		return e.raw(byte(n)<<4 | elem)
	}
	return e.raw(0xf0 | elem).uvarint(uint64(n))
}

// structField opens a struct-valued field.
func (e *enc) structField(id int16) *enc { return e.field(id, wireStruct).begin() }

// el is a SchemaElement's fields; nil pointers are left out.
type el struct {
	name                 string
	typ, typeLen, rep    *int32
	children, conv       *int32
	scale, precision, id *int32
	logical              func(e *enc) // writes the LogicalType struct's fields
	noName               bool
	extra                func(e *enc) // more fields, written last
}

func i32p(v int32) *int32 { return &v }

func (x el) write(e *enc) {
	e.begin()
	if x.typ != nil {
		e.i32(1, *x.typ)
	}
	if x.typeLen != nil {
		e.i32(2, *x.typeLen)
	}
	if x.rep != nil {
		e.i32(3, *x.rep)
	}
	if !x.noName {
		e.str(4, x.name)
	}
	for _, f := range []struct {
		id int16
		v  *int32
	}{{5, x.children}, {6, x.conv}, {7, x.scale}, {8, x.precision}, {9, x.id}} {
		if f.v != nil {
			e.i32(f.id, *f.v)
		}
	}
	if x.logical != nil {
		e.structField(10)
		x.logical(e)
		e.end()
	}
	if x.extra != nil {
		x.extra(e)
	}
	e.end()
}

// root is a schema root with n children.
func root(n int32) el { return el{name: "schema", children: i32p(n)} }

// leaf is a leaf column of physical type t.
func leaf(name string, t Type) el {
	return el{name: name, typ: i32p(int32(t)), rep: i32p(int32(Optional))}
}

// footer encodes a FileMetaData with the given rows and schema, and an
// empty row group list.
func footer(rows int64, elems ...el) []byte {
	e := (&enc{}).begin()
	e.i32(1, 2)
	e.list(2, wireStruct, len(elems))
	for _, x := range elems {
		x.write(e)
	}
	e.i64(3, rows)
	e.list(4, wireStruct, 0)
	return e.end().b
}

// member writes a LogicalType union member that is an empty struct.
func member(id int16) func(e *enc) {
	return func(e *enc) { e.structField(id).end() }
}

// decimal writes a DECIMAL member.
func decimal(precision, scale int32) func(e *enc) {
	return func(e *enc) { e.structField(5).i32(1, scale).i32(2, precision).end() }
}

// temporal writes a TIME (7) or TIMESTAMP (8) member with a unit member
// (MILLIS=1, MICROS=2, NANOS=3).
func temporal(id int16, utc bool, unit int16) func(e *enc) {
	return func(e *enc) {
		e.structField(id).boolean(1, utc)
		e.structField(2).structField(unit).end().end()
		e.end()
	}
}

// integer writes an INTEGER member.
func integer(width int8, signed bool) func(e *enc) {
	return func(e *enc) {
		e.structField(10).field(1, wireByte).raw(byte(width)).boolean(2, signed).end()
	}
}
