package verify

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ferry-dev/ferry/provider"
)

// The fingerprint hashes every row inside each engine and compares, per
// bucket of rows, the number of rows and exact sums of the row hashes.
// Sums do not depend on row order, so neither side sorts, and a changed,
// missing or duplicated row changes its bucket's digest.
//
// Both sides must hash a row the same way, so the row hash is chosen per
// pair of engines (rowHash):
//
//   - md5, the portable one: the MD5 of the row's canonical text, which
//     every dialect builds identically (rowText, canonical.go). The digest
//     of a bucket is "rows sum1 sum2", the exact sums of the hash's first
//     and second 60 bits; the bucket is the hash's last hex digit.
//   - native, when both sides are the same engine and it has a hash of
//     its own (nativeRowHasher): that engine's 64-bit hash of the row's
//     typed canonical values, which costs a fraction of building and
//     hashing text. The digest is "rows sum", the exact sum of the hashes;
//     the bucket is the hash mod 16.
//
// A dialect may also spell the md5 row hash faster (rowTexter,
// md5Splitter) as long as every value stays the same.

// fingerprintBuckets is the number of buckets a fingerprint splits rows
// into.
const fingerprintBuckets = 16

// nullMarker and valueMarker prefix each field of a row's canonical text so
// that NULL is never confused with any string, the empty string included.
// fieldSeparator (U+001F, the ASCII unit separator) sits between fields.
const (
	nullMarker     = "n"
	valueMarker    = "v"
	fieldSeparator = 0x1f
)

// rowHash is the hash a fingerprint computes for every row, the same on
// both sides.
type rowHash int

const (
	// md5Hash is the MD5 of the row's canonical text: the same in every
	// engine, so any source can be compared with any target.
	md5Hash rowHash = iota
	// nativeHash is the engine's own hash of the row's typed canonical
	// values (nativeRowHasher): defined only within one engine, so used
	// only when both sides are that engine.
	nativeHash
)

// chooseRowHash returns nativeHash when both dialects are the same engine
// and it has a native row hash, else md5Hash; portable forces md5Hash.
func chooseRowHash(sd, td Dialect, portable bool) rowHash {
	if portable || sd.Name() != td.Name() {
		return md5Hash
	}
	_, s := sd.(nativeRowHasher)
	_, t := td.(nativeRowHasher)
	if s && t {
		return nativeHash
	}
	return md5Hash
}

// name is the row hash as reports name it (Report.Fingerprint).
func (h rowHash) name(d Dialect) string {
	if h == nativeHash {
		return d.Name() + " hash"
	}
	return "md5"
}

// digestText says, for a failed bucket, what its digest is made of.
func (h rowHash) digestText(d Dialect) string {
	if h == nativeHash {
		return d.Name() + " hash() of each row's typed values; digest: rows, sum of the 64-bit row hashes"
	}
	return "MD5 of each row's canonical text; digest: rows, sum of hash bits 1-60, sum of bits 61-120"
}

// sums is the number of sums in a bucket's digest.
func (h rowHash) sums() int {
	if h == nativeHash {
		return 1
	}
	return 2
}

// emptyDigest is the digest of a bucket without rows.
func (h rowHash) emptyDigest() string {
	return strings.TrimSpace(strings.Repeat("0 ", 1+h.sums()))
}

// rowExpr is the expression of a row's hash over the quoted columns.
func (h rowHash) rowExpr(d Dialect, cols []string, types []ColumnType) string {
	if h == nativeHash {
		return d.(nativeRowHasher).nativeRowHash(cols, types)
	}
	return d.MD5(rowText(d, cols, types))
}

// bucketExpr is the bucket of the row hash hash, a column holding rowExpr.
func (h rowHash) bucketExpr(d Dialect, hash string) string {
	if h == nativeHash {
		return fmt.Sprintf("%s %% %d", hash, fingerprintBuckets)
	}
	return d.HexToInt(d.Substr(hash, 32, 1))
}

// hashText is the canonical text of hash, a column holding rowExpr.
func (h rowHash) hashText(d Dialect, hash string) string {
	if h == nativeHash {
		return d.Canonical(hash, ColumnType{Family: Integer})
	}
	return hash
}

// nativeRowHasher is a Dialect whose engine has a hash function cheaper
// than MD5 over text. Its values are defined by that engine alone (and may
// change between its versions), so both sides must run the same engine.
type nativeRowHasher interface {
	// nativeRowHash returns an expression of a row's unsigned 64-bit hash
	// over the columns cols of types types, each hashed as its typed
	// canonical value: rows with equal canonical texts hash alike (floats
	// are the one family compared more strictly, as exact values), rows
	// that differ in any value or in where a NULL is hash apart but for
	// 64-bit collisions. The engine's SUM of it must be exact.
	nativeRowHash(cols []string, types []ColumnType) string
}

// rowTexter is a Dialect with a faster spelling of rowText that yields
// the same text.
type rowTexter interface {
	// canonicalRow returns the same expression value as rowText.
	canonicalRow(cols []string, types []ColumnType) string
}

// md5Splitter is a Dialect that can take an MD5 apart into the bucket and
// the two limbs of the md5 fingerprint without going through its
// hexadecimal text.
type md5Splitter interface {
	// md5Limbs returns a statement selecting, for every row of from (a
	// FROM clause), fp_b, the last hex digit of the MD5 of text, and fp_l1
	// and fp_l2, its hex digits 1-15 and 16-30 as integers whose SUM is
	// exact: the values md5Limbs computes from MD5, Substr and HexToInt.
	md5Limbs(text, from string) string
}

// rowText is the canonical text of a whole row: each field is "v" followed
// by the value's canonical text, or "n" for NULL, and fields are joined by
// U+001F.
func rowText(d Dialect, cols []string, types []ColumnType) string {
	if rt, ok := d.(rowTexter); ok {
		return rt.canonicalRow(cols, types)
	}
	return portableRowText(d, cols, types)
}

// portableRowText is rowText in the SQL every dialect shares.
func portableRowText(d Dialect, cols []string, types []ColumnType) string {
	parts := make([]string, 0, 2*len(cols))
	for i, c := range cols {
		if i > 0 {
			parts = append(parts, d.Chr(fieldSeparator))
		}
		field := d.Concat(d.Text(valueMarker), d.Canonical(d.QuoteIdent(c), types[i]))
		parts = append(parts, "COALESCE("+field+", "+d.Text(nullMarker)+")")
	}
	return d.Concat(parts...)
}

// md5Limbs selects fp_b, fp_l1 and fp_l2 (see md5Splitter) from the MD5's
// hexadecimal text, in the SQL every dialect shares; the limbs are cast to
// DECIMAL(38,0) so that every engine sums them exactly.
func md5Limbs(d Dialect, text, from string) string {
	if s, ok := d.(md5Splitter); ok {
		return s.md5Limbs(text, from)
	}
	limb := func(from int) string {
		return fmt.Sprintf("CAST(%s AS DECIMAL(38,0))", d.HexToInt(d.Substr("fp_hash", from, 15)))
	}
	return fmt.Sprintf("SELECT %s AS fp_b, %s AS fp_l1, %s AS fp_l2\nFROM (\n  SELECT %s AS fp_hash\n  %s\n) fp_hashes",
		md5Hash.bucketExpr(d, "fp_hash"), limb(1), limb(16), d.MD5(text), indent(from, "  "))
}

// fingerprintSQL computes, per bucket, the row count and the exact sums of
// the row hashes h (see the top of this file), as canonical text. Buckets
// without rows are absent; the caller treats them as zero.
//
// With md5Hash the sums are of the first and the second 60 bits of each
// row's MD5 (15 hex digits each): exact up to 2^66 rows, and together they
// compare 120 bits per row. With nativeHash the sum is of the 64-bit
// hashes, exact in the engine's 128-bit integers.
func fingerprintSQL(d Dialect, h rowHash, table, where string, cols []string, types []ColumnType) string {
	integer := ColumnType{Family: Integer}
	src := from(d, table, where)
	if h == nativeHash {
		inner := fmt.Sprintf("SELECT %s AS fp_b, fp_hash\nFROM (\n  SELECT %s AS fp_hash\n  %s\n) fp_hashes",
			h.bucketExpr(d, "fp_hash"), h.rowExpr(d, cols, types), indent(src, "  "))
		return fmt.Sprintf("SELECT %s AS fp_bucket, %s AS fp_rows, %s AS fp_sum\nFROM (\n  %s\n) fp_buckets\nGROUP BY fp_b",
			d.Canonical("fp_b", integer), d.Canonical("COUNT(*)", integer), d.Canonical("SUM(fp_hash)", integer),
			indent(inner, "  "))
	}
	dec0 := ColumnType{Family: Decimal, Scale: 0}
	return fmt.Sprintf("SELECT %s AS fp_bucket, %s AS fp_rows, %s AS fp_sum1, %s AS fp_sum2\nFROM (\n  %s\n) fp_limbs\nGROUP BY fp_b",
		d.Canonical("fp_b", integer), d.Canonical("COUNT(*)", integer),
		d.Canonical("SUM(fp_l1)", dec0), d.Canonical("SUM(fp_l2)", dec0),
		indent(md5Limbs(d, rowText(d, cols, types), src), "  "))
}

// indent puts prefix before every line of s but the first.
func indent(s, prefix string) string {
	return strings.ReplaceAll(s, "\n", "\n"+prefix)
}

// bucketDigest is the digest of every fingerprint bucket with rows: the
// row count and the sums, space-separated.
type bucketDigest map[int]string

// fingerprint runs one statement per side and records one check per bucket.
func (r *runner) fingerprint() error {
	var srcCols, dstCols []string
	var types []ColumnType
	for _, c := range r.check.Columns {
		srcCols = append(srcCols, c.Source)
		dstCols = append(dstCols, c.Target)
		types = append(types, c.Type)
	}
	if len(types) == 0 {
		return nil
	}
	h := r.hash
	r.report.Fingerprint = h.name(r.td)
	s, t, err := r.both(
		fingerprintSQL(r.sd, h, r.check.SourceTable, r.check.Where, srcCols, types),
		fingerprintSQL(r.td, h, r.check.TargetTable, "", dstCols, types))
	if err != nil {
		return err
	}
	sb, err := digests(s, h.sums())
	if err != nil {
		return fmt.Errorf("verify %s: source fingerprint: %w", r.check.TargetTable, err)
	}
	tb, err := digests(t, h.sums())
	if err != nil {
		return fmt.Errorf("verify %s: target fingerprint: %w", r.check.TargetTable, err)
	}
	var differ []int
	for b := 0; b < fingerprintBuckets; b++ {
		c := CheckResult{
			Name:   fmt.Sprintf("fingerprint:bucket %d", b),
			Source: sb.get(b, h), Target: tb.get(b, h),
		}
		c.Passed = c.Source == c.Target
		if !c.Passed {
			c.Detail = "rows or row hashes differ (" + h.digestText(r.td) + ")"
			differ = append(differ, b)
		}
		r.add(c)
	}
	if len(differ) > 0 && len(r.check.Key) > 0 {
		r.samples(differ)
	}
	return nil
}

// get returns bucket b's digest, that of an empty bucket when it has no
// rows.
func (d bucketDigest) get(b int, h rowHash) string {
	if v, ok := d[b]; ok {
		return v
	}
	return h.emptyDigest()
}

// digests reads a fingerprint result: per row the bucket, the row count
// and sums values.
func digests(res *provider.Result, sums int) (bucketDigest, error) {
	out := bucketDigest{}
	for _, row := range res.Rows {
		if len(row) != 2+sums {
			return nil, fmt.Errorf("want %d values per row, got %d", 2+sums, len(row))
		}
		vals := make([]string, len(row))
		for i, v := range row {
			if v == nil {
				return nil, fmt.Errorf("unexpected NULL")
			}
			vals[i] = *v
		}
		b, err := strconv.Atoi(vals[0])
		if err != nil || b < 0 || b >= fingerprintBuckets {
			return nil, fmt.Errorf("bad bucket %q", vals[0])
		}
		if _, dup := out[b]; dup {
			return nil, fmt.Errorf("bucket %d twice", b)
		}
		out[b] = strings.Join(vals[1:], " ")
	}
	return out, nil
}
