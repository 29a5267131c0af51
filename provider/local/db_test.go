package local

import (
	"context"
	"database/sql"
	"encoding/binary"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFormatDecimal(t *testing.T) {
	for _, tc := range []struct {
		v     int64
		scale int
		want  string
	}{
		{1234, 2, "12.34"}, {-5, 2, "-0.05"}, {0, 2, "0.00"}, {100, 2, "1.00"},
		{7, 0, "7"}, {-123456789, 4, "-12345.6789"}, {5, 3, "0.005"},
	} {
		if got := formatDecimal(big.NewInt(tc.v), tc.scale); got != tc.want {
			t.Errorf("formatDecimal(%d, %d) = %s, want %s", tc.v, tc.scale, got, tc.want)
		}
	}
}

func TestQueryValues(t *testing.T) {
	tg, err := OpenTarget(filepath.Join(t.TempDir(), "q.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer tg.Close()
	res, err := tg.Query(context.Background(), `SELECT
		42::TINYINT, -7::SMALLINT, 2147483647::INTEGER, 9007199254740993::BIGINT,
		170141183460469231731687303715884105727::HUGEINT,
		CAST('-1234567890123.45' AS DECIMAL(15,2)), CAST('0.10' AS DECIMAL(15,2)),
		CAST('12345678901234567890.123456789012345678' AS DECIMAL(38,18)),
		DATE '1998-12-01', TIMESTAMP '2020-01-02 00:00:00', TIMESTAMP '2020-01-02 03:04:05.123456',
		TIMESTAMPTZ '2020-01-02 03:04:05+02', true, 'héllo', '\x01\x02'::BLOB, NULL::INTEGER,
		0.1::DOUBLE, 1e300::DOUBLE, TIME '13:14:15'`)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"42", "-7", "2147483647", "9007199254740993",
		"170141183460469231731687303715884105727",
		"-1234567890123.45", "0.10",
		"12345678901234567890.123456789012345678",
		"1998-12-01", "2020-01-02 00:00:00.000000", "2020-01-02 03:04:05.123456",
		"2020-01-02 01:04:05.000000", "true", "héllo", "\x01\x02", "NULL",
		"0.1", "1e+300", "13:14:15.000000",
	}
	var got []string
	for _, v := range res.Rows[0] {
		if v == nil {
			got = append(got, "NULL")
		} else {
			got = append(got, *v)
		}
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("values:\n got %q\nwant %q", got, want)
	}
}

func TestSharedHandle(t *testing.T) {
	p := filepath.Join(t.TempDir(), "shared.duckdb")
	src, err := OpenSource(p, 0)
	if err != nil {
		t.Fatal(err)
	}
	tg, err := OpenTarget(p)
	if err != nil {
		t.Fatal(err)
	}
	if src.h != tg.h {
		t.Error("two handles on one file")
	}
	src.Close()
	if got := scalar(t, tg, "SELECT 1"); got != "1" {
		t.Errorf("target after source closed: %s", got)
	}
	tg.Close()
}

// TestNewFilesUseStorageVersion reads DuckDB's database header of a file
// OpenTarget created: its serialization compatibility field must be that
// of StorageVersion (4 for v1.2.0) rather than the default's 1, whose
// statistics DuckDB converts on every open, and stay so after a process
// that asks for no format writes to it. The header layout (two copies
// at 4 KiB and 8 KiB, the newer with the higher iteration) is DuckDB's:
// checksum, iteration, meta block, free list, block count, block size,
// vector size, serialization compatibility, 8 bytes each.
func TestNewFilesUseStorageVersion(t *testing.T) {
	p := filepath.Join(t.TempDir(), "new.duckdb")
	tg, err := OpenTarget(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tg.h.db.Exec("CREATE TABLE t AS SELECT range AS id FROM range(1000); CHECKPOINT"); err != nil {
		t.Fatal(err)
	}
	tg.Close()
	plain, err := sql.Open("duckdb", p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := plain.Exec("INSERT INTO t VALUES (1000); CHECKPOINT"); err != nil {
		t.Fatal(err)
	}
	plain.Close()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 3*4096 {
		t.Fatalf("%s is %d bytes", p, len(b))
	}
	field := func(h, off int) uint64 { return binary.LittleEndian.Uint64(b[h*4096+off:]) }
	h := 1
	if field(2, 8) > field(1, 8) {
		h = 2
	}
	if got := field(h, 56); got != 4 {
		t.Errorf("serialization compatibility %d, want 3 (%s)", got, StorageVersion)
	}
	tg, err = OpenTarget(p)
	if err != nil {
		t.Fatal(err)
	}
	defer tg.Close()
	if got := scalar(t, tg, "SELECT count(*) FROM t"); got != "1001" {
		t.Errorf("rows after reopening: %s", got)
	}
}
