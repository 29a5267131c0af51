package pg

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestStartServesQueries(t *testing.T) {
	p := Start(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, p.DSN())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	var tz string
	if err := conn.QueryRow(ctx, "SELECT count(*)::int, current_setting('TimeZone') FROM generate_series(1, 7)").Scan(&n, &tz); err != nil {
		t.Fatal(err)
	}
	if n != 7 || tz != "UTC" {
		t.Fatalf("got count %d, TimeZone %q; want 7, UTC", n, tz)
	}
}
