package redshift

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/ferry-dev/ferry/internal/parquetmeta"
	"github.com/ferry-dev/ferry/provider"
	"github.com/ferry-dev/ferry/provider/typemap"
)

// TailReader is the optional ObjectStore capability of reading only the
// end of an object, which is where a Parquet footer lives. Stores without
// it are read whole.
type TailReader interface {
	// GetTail returns the last n bytes of the object (all of it when it
	// is shorter); a missing object gives an error wrapping
	// provider.ErrNotFound.
	GetTail(ctx context.Context, url string, n int64) ([]byte, error)
}

var (
	_ TailReader = (*S3Objects)(nil)
	_ TailReader = DirObjects{}
)

// footerGuess is the first tail read: most footers fit.
const footerGuess = 64 << 10

// FooterTypes are the column types of one Parquet file as its footer
// records them.
type FooterTypes struct {
	// URL is the file read.
	URL  string `json:"url"`
	Rows int64  `json:"rows"`
	// Columns are the leaf columns in file order.
	Columns []ColumnType `json:"columns"`
}

// ColumnType is one Parquet column: its physical type (INT32, INT64,
// BYTE_ARRAY, …) and its logical annotation in a compact spelling:
// STRING, JSON, DATE, DECIMAL(p,s), TIMESTAMP(MICROS), TIMESTAMP(MICROS,UTC),
// INT(16), UINT(16), or "" when there is none.
type ColumnType struct {
	Name     string `json:"name"`
	Physical string `json:"physical"`
	Logical  string `json:"logical,omitempty"`

	precision, scale int
}

// String renders "PHYSICAL LOGICAL".
func (c ColumnType) String() string {
	if c.Logical == "" {
		return c.Physical
	}
	return c.Physical + " " + c.Logical
}

// MaxComputeType is the MaxCompute column type that reads this Parquet
// column as it is (a MaxCompute LOAD matches types exactly), so that it
// can be compared with a mapping's typemap FileType. The error names a
// column no MaxCompute type reads.
func (c ColumnType) MaxComputeType() (typemap.MCType, error) {
	switch {
	case c.precision > 0:
		return typemap.MCType{Name: typemap.MCDecimal, Precision: c.precision, Scale: c.scale}, nil
	case c.Physical == "BOOLEAN":
		return typemap.MCType{Name: typemap.MCBoolean}, nil
	case c.Physical == "FLOAT":
		return typemap.MCType{Name: typemap.MCFloat}, nil
	case c.Physical == "DOUBLE":
		return typemap.MCType{Name: typemap.MCDouble}, nil
	case c.Physical == "INT32" && c.Logical == "DATE":
		return typemap.MCType{Name: typemap.MCDate}, nil
	case c.Physical == "INT32" && c.Logical == "INT(8)":
		return typemap.MCType{Name: typemap.MCTinyint}, nil
	case c.Physical == "INT32" && c.Logical == "INT(16)":
		return typemap.MCType{Name: typemap.MCSmallint}, nil
	case c.Physical == "INT32" && (c.Logical == "" || c.Logical == "INT(32)"):
		return typemap.MCType{Name: typemap.MCInt}, nil
	case c.Physical == "INT64" && (c.Logical == "" || c.Logical == "INT(64)"):
		return typemap.MCType{Name: typemap.MCBigint}, nil
	case c.Physical == "INT64" && (c.Logical == "TIMESTAMP(MICROS)" || c.Logical == "TIMESTAMP(MILLIS)" ||
		c.Logical == "TIMESTAMP(MICROS,UTC)" || c.Logical == "TIMESTAMP(MILLIS,UTC)"), c.Physical == "INT96":
		return typemap.MCType{Name: typemap.MCTimestamp}, nil
	case c.Physical == "BYTE_ARRAY" && (c.Logical == "STRING" || c.Logical == "JSON" || c.Logical == "ENUM"):
		return typemap.MCType{Name: typemap.MCString}, nil
	case c.Physical == "BYTE_ARRAY" && c.Logical == "":
		return typemap.MCType{Name: typemap.MCBinary}, nil
	}
	return typemap.MCType{}, fmt.Errorf("parquet column %q (%s) has no MaxCompute type", c.Name, c)
}

// ReadFooter reads the footer of the Parquet object at url: with a tail
// read when store is a TailReader, else the whole object.
func ReadFooter(ctx context.Context, store ObjectStore, url string) (*FooterTypes, error) {
	tail, err := readTail(ctx, store, url, footerGuess)
	if err != nil {
		return nil, fmt.Errorf("read Parquet footer: %w", err)
	}
	if len(tail) < 12 || !bytes.Equal(tail[len(tail)-4:], []byte("PAR1")) {
		return nil, fmt.Errorf("read Parquet footer of %s: not a Parquet file", url)
	}
	size := int64(binary.LittleEndian.Uint32(tail[len(tail)-8:]))
	if size+8 > int64(len(tail)) {
		if tail, err = readTail(ctx, store, url, size+8); err != nil {
			return nil, fmt.Errorf("read Parquet footer: %w", err)
		}
		if size+8 > int64(len(tail)) {
			return nil, fmt.Errorf("read Parquet footer of %s: footer length %d exceeds the file", url, size)
		}
	}
	meta, err := parquetmeta.Decode(tail[int64(len(tail))-8-size : len(tail)-8])
	if err != nil {
		return nil, fmt.Errorf("decode Parquet footer of %s: %w", url, err)
	}
	out := &FooterTypes{URL: url, Rows: meta.NumRows}
	for _, col := range meta.Columns {
		out.Columns = append(out.Columns, columnType(col))
	}
	return out, nil
}

// readTail returns the last n bytes of url, or all of it.
func readTail(ctx context.Context, store ObjectStore, url string, n int64) ([]byte, error) {
	if tr, ok := store.(TailReader); ok {
		return tr.GetTail(ctx, url, n)
	}
	body, err := store.Get(ctx, url)
	if err != nil {
		return nil, err
	}
	return body[max(0, int64(len(body))-n):], nil
}

// columnType spells one column's physical and logical type. Logical
// types ferry does not map (TIME, UUID, BSON, …) are spelled "", so that
// MaxComputeType goes by the physical type alone.
func columnType(col parquetmeta.Column) ColumnType {
	c := ColumnType{Name: col.Name, Physical: col.Physical.String()}
	switch l := col.Logical; l.Kind {
	case parquetmeta.LogicalString:
		c.Logical = "STRING"
	case parquetmeta.LogicalJSON:
		c.Logical = "JSON"
	case parquetmeta.LogicalEnum:
		c.Logical = "ENUM"
	case parquetmeta.LogicalDate:
		c.Logical = "DATE"
	case parquetmeta.LogicalDecimal:
		c.precision, c.scale = int(l.Precision), int(l.Scale)
		c.Logical = fmt.Sprintf("DECIMAL(%d,%d)", c.precision, c.scale)
	case parquetmeta.LogicalTimestamp:
		c.Logical = "TIMESTAMP(" + l.Unit.String() + ")"
		if l.AdjustedToUTC {
			c.Logical = "TIMESTAMP(" + l.Unit.String() + ",UTC)"
		}
	case parquetmeta.LogicalInteger:
		c.Logical = fmt.Sprintf("INT(%d)", l.BitWidth)
		if !l.Signed {
			// Redshift has no unsigned type, and MaxCompute's signed
			// types of the same width cannot hold every value: spelled
			// apart so that MaxComputeType refuses the column.
			c.Logical = fmt.Sprintf("UINT(%d)", l.BitWidth)
		}
	}
	return c
}

// GetTail implements TailReader with a suffix Range request.
func (o *S3Objects) GetTail(ctx context.Context, url string, n int64) ([]byte, error) {
	bucket, key, err := splitS3URL(url)
	if err != nil {
		return nil, err
	}
	out, err := o.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key),
		Range: aws.String(fmt.Sprintf("bytes=-%d", n))})
	if err != nil {
		var nsk *types.NoSuchKey
		if errors.As(err, &nsk) {
			return nil, fmt.Errorf("get %s: %w", url, provider.ErrNotFound)
		}
		return nil, fmt.Errorf("get %s: %w", url, err)
	}
	defer out.Body.Close()
	return io.ReadAll(out.Body)
}

// GetTail implements TailReader.
func (d DirObjects) GetTail(ctx context.Context, url string, n int64) ([]byte, error) {
	p, err := d.path(url)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("get %s: %w", url, provider.ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	off := max(0, info.Size()-n)
	buf := make([]byte, info.Size()-off)
	if _, err := f.ReadAt(buf, off); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return buf, nil
}
