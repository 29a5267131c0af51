package redshift

import (
	"strings"
	"testing"

	"github.com/ferry-dev/ferry/internal/parquetmeta"
	"github.com/ferry-dev/ferry/provider/typemap"
)

// TestColumnTypeIntegers: a signed 8-bit column reads as TINYINT; an
// unsigned one (which no Redshift UNLOAD writes) has no MaxCompute type,
// rather than a signed one too narrow for its values.
func TestColumnTypeIntegers(t *testing.T) {
	col := func(signed bool) parquetmeta.Column {
		return parquetmeta.Column{Name: "n", Physical: parquetmeta.TypeInt32,
			Logical: parquetmeta.LogicalType{Kind: parquetmeta.LogicalInteger, BitWidth: 8, Signed: signed}}
	}
	c := columnType(col(true))
	if got, err := c.MaxComputeType(); err != nil || got.Name != typemap.MCTinyint || c.String() != "INT32 INT(8)" {
		t.Errorf("signed: %s -> %v, %v", c, got, err)
	}
	c = columnType(col(false))
	if _, err := c.MaxComputeType(); err == nil || !strings.Contains(err.Error(), `"n" (INT32 UINT(8))`) {
		t.Errorf("unsigned: %s -> %v", c, err)
	}
}
