package parquetmeta

import "fmt"

// FormatError is a footer that does not decode: what was wrong, and the
// offset from the footer's first byte where it was found.
type FormatError struct {
	Offset int
	Reason string
}

// Error says what was wrong and where: "… (footer byte 123)".
func (e *FormatError) Error() string {
	return fmt.Sprintf("%s (footer byte %d)", e.Reason, e.Offset)
}

// maxDepth bounds the nesting of structs, lists, sets and maps, so that a
// footer of nested headers cannot exhaust the stack. Real footers nest
// about ten deep; Thrift's own skipping allows 64.
const maxDepth = 64

// Compact protocol wire types: the low nibble of a field header, or of a
// list or set header, or either nibble of a map's key and value types.
const (
	wireStop   = 0
	wireTrue   = 1 // a bool field whose value is true; in collections, any bool
	wireFalse  = 2
	wireByte   = 3
	wireI16    = 4
	wireI32    = 5
	wireI64    = 6
	wireDouble = 7
	wireBinary = 8
	wireList   = 9
	wireSet    = 10
	wireMap    = 11
	wireStruct = 12
	wireUUID   = 13
)

var wireNames = [...]string{"stop", "bool", "bool", "byte", "i16", "i32", "i64", "double", "binary", "list", "set", "map", "struct", "uuid"}

func wireName(t byte) string {
	if int(t) < len(wireNames) {
		return wireNames[t]
	}
	return fmt.Sprintf("unknown type %d", t)
}

// reader decodes Thrift compact protocol values from a byte slice. Every
// method either consumes what it read or returns a *FormatError.
type reader struct {
	b     []byte
	pos   int
	depth int
}

func (r *reader) errorf(at int, format string, args ...any) error {
	return &FormatError{Offset: at, Reason: fmt.Sprintf(format, args...)}
}

func (r *reader) remaining() int { return len(r.b) - r.pos }

// readByte reads one raw byte; what names the value for the error.
func (r *reader) readByte(what string) (byte, error) {
	if r.pos >= len(r.b) {
		return 0, r.errorf(r.pos, "footer ends inside %s", what)
	}
	c := r.b[r.pos]
	r.pos++
	return c, nil
}

// uvarint reads an unsigned LEB128 varint of at most 64 bits.
func (r *reader) uvarint(what string) (uint64, error) {
	start := r.pos
	var v uint64
	for shift := uint(0); ; shift += 7 {
		c, err := r.readByte(what)
		if err != nil {
			return 0, err
		}
		if shift == 63 && c > 1 {
			return 0, r.errorf(start, "varint of %s overflows 64 bits", what)
		}
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return v, nil
		}
	}
}

// i64 reads a zigzag varint.
func (r *reader) i64(what string) (int64, error) {
	u, err := r.uvarint(what)
	return int64(u>>1) ^ -int64(u&1), err
}

// i32 reads a zigzag varint that must fit in 32 bits. (Thrift's Go
// library truncates a longer one; a footer holding one is corrupt.)
func (r *reader) i32(what string) (int32, error) {
	start := r.pos
	u, err := r.uvarint(what)
	if err != nil {
		return 0, err
	}
	if u > 0xffffffff {
		return 0, r.errorf(start, "varint of %s overflows 32 bits", what)
	}
	return int32(uint32(u>>1) ^ -uint32(u&1)), nil
}

// length reads a binary's length or a collection's size (kind says
// which): a plain (not zigzag) varint of at most 31 bits, which must not
// exceed the bytes left, since every element of a collection takes at
// least one byte.
func (r *reader) length(kind, what string) (int, error) {
	start := r.pos
	u, err := r.uvarint(what)
	if err != nil {
		return 0, err
	}
	if u > 0x7fffffff {
		return 0, r.errorf(start, "%s %d of %s is out of range", kind, u, what)
	}
	if int(u) > r.remaining() {
		return 0, r.errorf(start, "%s %d of %s exceeds the %d bytes left", kind, u, what, r.remaining())
	}
	return int(u), nil
}

// binary reads a length-prefixed byte string; the result aliases r.b.
func (r *reader) binary(what string) ([]byte, error) {
	n, err := r.length("length", what)
	if err != nil {
		return nil, err
	}
	v := r.b[r.pos : r.pos+n : r.pos+n]
	r.pos += n
	return v, nil
}

// enter and leave bracket every struct and collection.
func (r *reader) enter(what string) error {
	if r.depth >= maxDepth {
		return r.errorf(r.pos, "%s nests deeper than %d levels", what, maxDepth)
	}
	r.depth++
	return nil
}

func (r *reader) leave() { r.depth-- }

// field is one field header of a struct.
type field struct {
	id   int16
	wire byte // wireTrue and wireFalse carry a bool field's value
	at   int  // offset of the header
}

// isBool says whether the field is a bool, whose value is its wire type.
func (f field) isBool() bool { return f.wire == wireTrue || f.wire == wireFalse }

// readStruct reads a struct's fields up to its stop byte, calling fn for
// each; fn must consume the field's value (skip does for fields it does
// not want). Field ids are either a delta from the previous one in the
// header's high nibble or, when that is 0, a zigzag varint that follows.
func (r *reader) readStruct(what string, fn func(f field) error) error {
	if err := r.enter(what); err != nil {
		return err
	}
	err := r.fields(what, fn)
	r.leave()
	return err
}

func (r *reader) fields(what string, fn func(f field) error) error {
	var last int16
	for {
		at := r.pos
		h, err := r.readByte(what)
		if err != nil {
			return err
		}
		wire := h & 0x0f
		if wire == wireStop {
			return nil
		}
		if wire > wireUUID {
			return r.errorf(at, "field header of %s has %s", what, wireName(wire))
		}
		id := last + int16(h>>4)
		if h>>4 == 0 {
			v, err := r.i32(what)
			if err != nil {
				return err
			}
			if v != int32(int16(v)) {
				return r.errorf(at, "field id %d of %s is out of range", v, what)
			}
			id = int16(v)
		}
		last = id
		if err := fn(field{id: id, wire: wire, at: at}); err != nil {
			return err
		}
	}
}

// expect checks that a field has the wire type parquet.thrift gives it.
func (r *reader) expect(f field, name string, want byte) error {
	got := f.wire
	if got == wireFalse {
		got = wireTrue
	}
	if got != want {
		return r.errorf(f.at, "field %d (%s) is a %s, want %s", f.id, name, wireName(f.wire), wireName(want))
	}
	return nil
}

// listHeader reads a list or set header: the size in the high nibble, or
// 15 there and a varint size after, and the element type in the low one.
func (r *reader) listHeader(what string) (elem byte, n int, err error) {
	at := r.pos
	h, err := r.readByte(what)
	if err != nil {
		return 0, 0, err
	}
	elem, n = h&0x0f, int(h>>4)
	if n == 15 {
		if n, err = r.length("size", what); err != nil {
			return 0, 0, err
		}
	} else if n > r.remaining() {
		return 0, 0, r.errorf(at, "size %d of %s exceeds the %d bytes left", n, what, r.remaining())
	}
	if elem > wireUUID || (elem == wireStop && n > 0) {
		return 0, 0, r.errorf(at, "%s has elements of %s", what, wireName(elem))
	}
	return elem, n, nil
}

// skipField skips the value of a struct field.
func (r *reader) skipField(f field) error {
	if f.isBool() {
		return nil
	}
	return r.skip(f.wire)
}

// skip skips one value of wire type t that is not a struct field's bool
// (a bool in a collection is a byte).
func (r *reader) skip(t byte) error {
	switch t {
	case wireTrue, wireFalse, wireByte:
		_, err := r.readByte("a byte")
		return err
	case wireI16, wireI32, wireI64:
		_, err := r.uvarint("an integer")
		return err
	case wireDouble, wireUUID:
		n := 8
		if t == wireUUID {
			n = 16
		}
		if r.remaining() < n {
			return r.errorf(r.pos, "footer ends inside a %s", wireName(t))
		}
		r.pos += n
		return nil
	case wireBinary:
		_, err := r.binary("a binary")
		return err
	case wireStruct:
		return r.readStruct("a struct", r.skipField)
	case wireList, wireSet:
		elem, n, err := r.listHeader("a list")
		if err != nil {
			return err
		}
		if err := r.enter("a list"); err != nil {
			return err
		}
		for i := 0; i < n && err == nil; i++ {
			err = r.skip(elem)
		}
		r.leave()
		return err
	case wireMap:
		at := r.pos
		n, err := r.length("size", "a map")
		if err != nil || n == 0 {
			return err
		}
		kv, err := r.readByte("a map")
		if err != nil {
			return err
		}
		k, v := kv>>4, kv&0x0f
		if k == wireStop || k > wireUUID || v == wireStop || v > wireUUID {
			return r.errorf(at, "map has keys of %s and values of %s", wireName(k), wireName(v))
		}
		if err := r.enter("a map"); err != nil {
			return err
		}
		for i := 0; i < n && err == nil; i++ {
			if err = r.skip(k); err == nil {
				err = r.skip(v)
			}
		}
		r.leave()
		return err
	}
	return r.errorf(r.pos, "cannot skip a value of %s", wireName(t))
}
