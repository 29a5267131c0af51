package parquetmeta

import "fmt"

// memberKinds maps a LogicalType union member's field id to its kind;
// LogicalNone marks an id parquet.thrift does not use (yet).
var memberKinds = [...]LogicalKind{
	1: LogicalString, 2: LogicalMap, 3: LogicalList, 4: LogicalEnum, 5: LogicalDecimal, 6: LogicalDate,
	7: LogicalTime, 8: LogicalTimestamp, 10: LogicalInteger, 11: LogicalNull, 12: LogicalJSON, 13: LogicalBSON,
	14: LogicalUUID, 15: LogicalFloat16, 16: LogicalVariant, 17: LogicalGeometry, 18: LogicalGeography,
}

func memberKind(id int16) LogicalKind {
	if id >= 0 && int(id) < len(memberKinds) {
		return memberKinds[id]
	}
	return LogicalNone
}

// readLogicalType reads a LogicalType union, which must have exactly one
// member. Parameters of a member are checked here as far as they can be
// without the physical type (a TIMESTAMP's unit, an INTEGER's width).
func readLogicalType(r *reader) (LogicalType, error) {
	start := r.pos
	var (
		l      LogicalType
		member field
		seen   bool
	)
	err := r.readStruct("LogicalType", func(f field) error {
		if seen && f.id != member.id {
			return r.errorf(f.at, "logicalType has two members, %s and %s", memberName(member.id), memberName(f.id))
		}
		seen, member = true, f
		kind := memberKind(f.id)
		if kind == LogicalNone {
			l = LogicalType{Kind: LogicalUnrecognized}
			return r.skipField(f)
		}
		if err := r.expect(f, kind.String(), wireStruct); err != nil {
			return err
		}
		var err error
		switch kind {
		case LogicalDecimal:
			l, err = readDecimal(r)
		case LogicalTime, LogicalTimestamp:
			l, err = readTemporal(r, kind)
		case LogicalInteger:
			l, err = readInteger(r)
		default:
			// The other members are empty structs, or (VARIANT,
			// GEOMETRY, GEOGRAPHY) hold nothing ferry needs.
			l = LogicalType{Kind: kind}
			err = r.skip(wireStruct)
		}
		return err
	})
	if err == nil && !seen {
		err = r.errorf(start, "logicalType has no member")
	}
	return l, err
}

func memberName(id int16) string {
	if k := memberKind(id); k != LogicalNone {
		return k.String()
	}
	return fmt.Sprintf("member %d", id)
}

// readDecimal reads a DecimalType; its range is checked with the
// physical type.
func readDecimal(r *reader) (LogicalType, error) {
	start := r.pos
	l := LogicalType{Kind: LogicalDecimal}
	var hasScale, hasPrecision bool
	err := r.readStruct("DecimalType", func(f field) error {
		switch f.id {
		case 1:
			if err := r.expect(f, "scale", wireI32); err != nil {
				return err
			}
			hasScale = true
			var err error
			l.Scale, err = r.i32("scale")
			return err
		case 2:
			if err := r.expect(f, "precision", wireI32); err != nil {
				return err
			}
			hasPrecision = true
			var err error
			l.Precision, err = r.i32("precision")
			return err
		}
		return r.skipField(f)
	})
	if err == nil && (!hasScale || !hasPrecision) {
		err = r.errorf(start, "DECIMAL needs both scale and precision")
	}
	return l, err
}

// readTemporal reads a TimeType or a TimestampType, which have the same
// fields.
func readTemporal(r *reader, kind LogicalKind) (LogicalType, error) {
	start := r.pos
	l := LogicalType{Kind: kind}
	var hasUTC bool
	err := r.readStruct(kind.String(), func(f field) error {
		switch f.id {
		case 1:
			if err := r.expect(f, "isAdjustedToUTC", wireTrue); err != nil {
				return err
			}
			l.AdjustedToUTC, hasUTC = f.wire == wireTrue, true
			return nil
		case 2:
			if err := r.expect(f, "unit", wireStruct); err != nil {
				return err
			}
			var err error
			l.Unit, err = readTimeUnit(r)
			return err
		}
		return r.skipField(f)
	})
	if err == nil && (!hasUTC || l.Unit == TimeUnitNone) {
		err = r.errorf(start, "%s needs both isAdjustedToUTC and unit", kind)
	}
	return l, err
}

// readTimeUnit reads the TimeUnit union, whose members are empty structs.
func readTimeUnit(r *reader) (TimeUnit, error) {
	start := r.pos
	var u TimeUnit
	err := r.readStruct("TimeUnit", func(f field) error {
		if f.id < 1 || f.id > 3 {
			return r.errorf(f.at, "unknown time unit (member %d)", f.id)
		}
		if u != TimeUnitNone && u != TimeUnit(f.id) {
			return r.errorf(f.at, "time unit is both %s and %s", u, TimeUnit(f.id))
		}
		u = TimeUnit(f.id) // MILLIS=1, MICROS=2, NANOS=3 as in parquet.thrift
		if err := r.expect(f, u.String(), wireStruct); err != nil {
			return err
		}
		return r.skip(wireStruct)
	})
	if err == nil && u == TimeUnitNone {
		err = r.errorf(start, "time unit has no member")
	}
	return u, err
}

// readInteger reads an IntType.
func readInteger(r *reader) (LogicalType, error) {
	start := r.pos
	l := LogicalType{Kind: LogicalInteger}
	var hasWidth, hasSigned bool
	err := r.readStruct("IntType", func(f field) error {
		switch f.id {
		case 1:
			if err := r.expect(f, "bitWidth", wireByte); err != nil {
				return err
			}
			b, err := r.readByte("bitWidth")
			l.BitWidth, hasWidth = int8(b), true
			return err
		case 2:
			if err := r.expect(f, "isSigned", wireTrue); err != nil {
				return err
			}
			l.Signed, hasSigned = f.wire == wireTrue, true
			return nil
		}
		return r.skipField(f)
	})
	switch {
	case err != nil:
	case !hasWidth || !hasSigned:
		err = r.errorf(start, "INTEGER needs both bitWidth and isSigned")
	case l.BitWidth != 8 && l.BitWidth != 16 && l.BitWidth != 32 && l.BitWidth != 64:
		err = r.errorf(start, "INTEGER has bitWidth %d", l.BitWidth)
	}
	return l, err
}
