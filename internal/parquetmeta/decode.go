package parquetmeta

import (
	"fmt"
	"strconv"
)

// Decode decodes a Parquet footer: the Thrift compact FileMetaData that a
// Parquet file stores before its 4-byte footer length and "PAR1". Bytes
// after the FileMetaData (a plaintext footer's signature) are ignored. An
// error is a *FormatError, possibly wrapped with the schema element it
// concerns.
func Decode(footer []byte) (*Footer, error) {
	r := &reader{b: footer}
	var (
		out                                 Footer
		version, schema, numRows, rowGroups bool
	)
	err := r.readStruct("FileMetaData", func(f field) error {
		var err error
		switch f.id {
		case 1:
			if err = r.expect(f, "version", wireI32); err == nil {
				_, err = r.i32("version")
				version = true
			}
		case 2:
			if err = r.expect(f, "schema", wireList); err == nil {
				out.Columns, err = readSchema(r)
				schema = true
			}
		case 3:
			if err = r.expect(f, "num_rows", wireI64); err == nil {
				if out.NumRows, err = r.i64("num_rows"); err == nil && out.NumRows < 0 {
					err = r.errorf(f.at, "num_rows is %d", out.NumRows)
				}
				numRows = true
			}
		case 4:
			if err = r.expect(f, "row_groups", wireList); err == nil {
				err = r.skip(wireList)
				rowGroups = true
			}
		default:
			err = r.skipField(f)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, req := range []struct {
		set  bool
		name string
	}{{version, "version"}, {schema, "schema"}, {numRows, "num_rows"}, {rowGroups, "row_groups"}} {
		if !req.set {
			return nil, r.errorf(0, "FileMetaData has no %s", req.name)
		}
	}
	return &out, nil
}

// element is one SchemaElement as stored, before it becomes a Column or
// is checked as a group.
type element struct {
	at                                       int
	name                                     string
	typ, typeLength, repetition, numChildren int32
	converted, scale, precision, fieldID     int32
	hasName, hasType, hasRepetition          bool
	hasConverted, hasLogical                 bool
	logical                                  LogicalType
}

// minLeafBytes is the smallest encoding of a leaf element: a name field
// (header and a zero length), a type field (header and a value) and the
// stop byte. It bounds how many columns a schema list can hold.
const minLeafBytes = 5

// readSchema reads FileMetaData.schema, the depth-first list of schema
// elements whose first is the root, and returns its leaves.
func readSchema(r *reader) ([]Column, error) {
	at := r.pos
	elem, n, err := r.listHeader("schema")
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, r.errorf(at, "schema is empty (not even a root)")
	}
	if elem != wireStruct {
		return nil, r.errorf(at, "schema is a list of %s, want struct", wireName(elem))
	}
	if err := r.enter("schema"); err != nil {
		return nil, err
	}
	defer r.leave()
	cols := make([]Column, 0, min(n-1, r.remaining()/minLeafBytes))
	// open holds, for each group being read, how many of its children
	// are still to come.
	var open []int32
	for i := range n {
		e, err := readElement(r)
		if err == nil {
			err = e.check()
		}
		switch {
		case err != nil:
		case i == 0:
			// The root is a group even when it has no children.
			err = e.checkGroup()
			switch {
			case err != nil:
			case e.numChildren > 0:
				open = append(open, e.numChildren)
			case n > 1:
				err = e.errorf("the root has no children but %d elements follow it", n-1)
			}
		case len(open) == 0:
			err = e.errorf("element lies outside the tree the root starts (%d elements, tree ends after %d)", n, i)
		default:
			open[len(open)-1]--
			if e.numChildren > 0 {
				open = append(open, e.numChildren)
				err = e.checkGroup()
			} else {
				var c Column
				if c, err = e.column(); err == nil {
					cols = append(cols, c)
				}
			}
			for len(open) > 0 && open[len(open)-1] == 0 {
				open = open[:len(open)-1]
			}
		}
		if err != nil {
			if e.hasName {
				return nil, fmt.Errorf("schema element %d (%s): %w", i, quoteName(e.name), err)
			}
			return nil, fmt.Errorf("schema element %d: %w", i, err)
		}
	}
	if len(open) > 0 {
		return nil, r.errorf(r.pos, "schema ends with %d groups still missing children", len(open))
	}
	return cols, nil
}

// readElement reads one SchemaElement.
func readElement(r *reader) (element, error) {
	e := element{at: r.pos, fieldID: -1}
	err := r.readStruct("SchemaElement", func(f field) error {
		i32 := func(name string, v *int32, set *bool) error {
			if err := r.expect(f, name, wireI32); err != nil {
				return err
			}
			var err error
			*v, err = r.i32(name)
			if set != nil {
				*set = true
			}
			return err
		}
		switch f.id {
		case 1:
			return i32("type", &e.typ, &e.hasType)
		case 2:
			return i32("type_length", &e.typeLength, nil)
		case 3:
			return i32("repetition_type", &e.repetition, &e.hasRepetition)
		case 4:
			if err := r.expect(f, "name", wireBinary); err != nil {
				return err
			}
			b, err := r.binary("name")
			e.name, e.hasName = string(b), true
			return err
		case 5:
			return i32("num_children", &e.numChildren, nil)
		case 6:
			return i32("converted_type", &e.converted, &e.hasConverted)
		case 7:
			return i32("scale", &e.scale, nil)
		case 8:
			return i32("precision", &e.precision, nil)
		case 9:
			return i32("field_id", &e.fieldID, nil)
		case 10:
			if err := r.expect(f, "logicalType", wireStruct); err != nil {
				return err
			}
			var err error
			e.logical, err = readLogicalType(r)
			e.hasLogical = true
			return err
		}
		return r.skipField(f)
	})
	return e, err
}

// check validates what every element, group or leaf, must get right.
func (e *element) check() error {
	switch {
	case !e.hasName:
		return e.errorf("SchemaElement has no name")
	case e.numChildren < 0:
		return e.errorf("num_children is %d", e.numChildren)
	case e.hasRepetition && (e.repetition < 0 || e.repetition > int32(Repeated)):
		return e.errorf("unknown repetition_type %d", e.repetition)
	}
	return nil
}

// errorf reports a problem with the element as a whole, at its first
// byte.
func (e *element) errorf(format string, args ...any) error {
	return &FormatError{Offset: e.at, Reason: fmt.Sprintf(format, args...)}
}

// maxQuotedName is how much of a name an error message shows: a corrupt
// footer can hold a name of any length.
const maxQuotedName = 64

// quoteName quotes a schema element's name for an error message.
func quoteName(name string) string {
	if len(name) > maxQuotedName {
		return strconv.Quote(name[:maxQuotedName]) + "…"
	}
	return strconv.Quote(name)
}
