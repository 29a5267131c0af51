package local

import (
	"context"
	"math/big"
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
