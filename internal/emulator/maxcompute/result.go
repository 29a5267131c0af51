package maxcompute

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// maxResultRows is the most rows an instance result carries, as on the
// service (the screen-output limit).
const maxResultRows = 10000

// nullText is how a SELECT result's CSV spells NULL, so that it differs
// from the empty string (written as an empty field).
const nullText = `\N`

// defaultTimeZone is the session time zone when odps.sql.timezone is not
// set, the service default.
const defaultTimeZone = "Asia/Shanghai"

// query runs a SELECT and renders the result as the service does: CSV
// with a header row, at most maxResultRows rows, NULL as \N, TIMESTAMP
// values in the session time zone.
func (p *project) query(ctx context.Context, s *session, q string) (string, error) {
	zone := s.settings["odps.sql.timezone"]
	if zone == "" {
		zone = defaultTimeZone
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return "", &odpsError{code: "ODPS-0130071", kind: "[0,0] Semantic analysis exception", msg: "unknown time zone " + zone}
	}
	rows, err := p.db.QueryContext(ctx, q)
	if err != nil {
		return "", semantic(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return "", err
	}
	types, err := rows.ColumnTypes()
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write(cols)
	w.Flush()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	record := make([]string, len(cols))
	for n := 0; rows.Next() && n < maxResultRows; n++ {
		if err := rows.Scan(ptrs...); err != nil {
			return "", semantic(err)
		}
		for i, v := range vals {
			record[i] = formatCell(v, types[i].DatabaseTypeName(), loc)
		}
		if len(record) == 1 && record[0] == "" {
			// A lone empty field would be an empty line, which CSV
			// readers skip; quote it so the row survives.
			buf.WriteString("\"\"\n")
			continue
		}
		w.Write(record)
		w.Flush()
	}
	if err := rows.Err(); err != nil {
		return "", semantic(err)
	}
	w.Flush()
	return buf.String(), w.Error()
}

// formatCell renders one value: exact decimals, yyyy-mm-dd dates,
// "yyyy-mm-dd hh:mm:ss[.fffffffff]" times, true/false.
func formatCell(v any, dbType string, loc *time.Location) string {
	switch x := v.(type) {
	case nil:
		return nullText
	case string:
		return x
	case []byte:
		return string(x)
	case bool:
		return strconv.FormatBool(x)
	case float32:
		return strconv.FormatFloat(float64(x), 'g', -1, 32)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case *big.Int:
		return x.String()
	case duckdb.Decimal:
		return formatDecimal(x.Value, int(x.Scale))
	case time.Time:
		switch {
		case dbType == "DATE":
			return x.UTC().Format(time.DateOnly)
		case dbType == "TIMESTAMPTZ" || strings.HasSuffix(dbType, "WITH TIME ZONE"):
			x = x.In(loc)
		default:
			x = x.UTC()
		}
		out := x.Format(time.DateTime)
		if ns := x.Nanosecond(); ns != 0 {
			out += strings.TrimRight(fmt.Sprintf(".%09d", ns), "0")
		}
		return out
	}
	return fmt.Sprint(v)
}

// formatDecimal writes an unscaled integer with scale digits after the
// point: 1234 with scale 2 is "12.34", -5 with scale 2 is "-0.05".
func formatDecimal(unscaled *big.Int, scale int) string {
	if unscaled == nil {
		return "0"
	}
	digits := new(big.Int).Abs(unscaled).String()
	sign := ""
	if unscaled.Sign() < 0 {
		sign = "-"
	}
	if scale <= 0 {
		return sign + digits
	}
	if len(digits) <= scale {
		digits = strings.Repeat("0", scale-len(digits)+1) + digits
	}
	cut := len(digits) - scale
	return sign + digits[:cut] + "." + digits[cut:]
}
