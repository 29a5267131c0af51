package local

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/duckdb/duckdb-go/v2"
	"github.com/pingcap/go-tpc/tpch/dbgen"
)

// dbgenMu serialises seeding: package dbgen keeps its generator state in
// package variables, and seeding silences os.Stdout while it runs.
var dbgenMu sync.Mutex

// errEnough stops dbgen once a fractional scale's row count is reached.
var errEnough = errors.New("enough rows")

// seedTPCH creates a DuckDB file at path holding the eight TPC-H tables at
// scale factor sf. It builds the database under a temporary name and
// renames it into place, so a crash never leaves a half-seeded source.
func seedTPCH(ctx context.Context, path string, sf float64) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp := fmt.Sprintf("%s.seeding-%d", path, os.Getpid())
	os.Remove(tmp)
	os.Remove(tmp + ".wal")
	db, err := openDB(tmp)
	if err != nil {
		return err
	}
	err = seedInto(ctx, db, sizesFor(sf))
	if err == nil {
		_, err = db.ExecContext(ctx, "CHECKPOINT")
	}
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		os.Remove(tmp + ".wal")
		return fmt.Errorf("seed TPC-H into %s: %w", path, err)
	}
	return nil
}

// seedInto creates the tables and appends the generated rows.
func seedInto(ctx context.Context, db *sql.DB, n tpchSizes) error {
	for _, stmt := range tpchDDL() {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		a := &appenders{conn: dc.(driver.Conn), m: map[string]*duckdb.Appender{}}
		err := generate(a, n)
		if cerr := a.close(); err == nil {
			err = cerr
		}
		return err
	})
}

// appenders holds one DuckDB appender per table.
type appenders struct {
	conn driver.Conn
	m    map[string]*duckdb.Appender
}

// row appends one row to table.
func (a *appenders) row(table string, vals ...driver.Value) error {
	ap, ok := a.m[table]
	if !ok {
		var err error
		ap, err = duckdb.NewAppenderFromConn(a.conn, "main", table)
		if err != nil {
			return err
		}
		a.m[table] = ap
	}
	return ap.AppendRow(vals...)
}

// close flushes and closes every appender.
func (a *appenders) close() error {
	var first error
	for _, ap := range a.m {
		if err := ap.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// loaderFunc adapts a function to dbgen.Loader, stopping generation with
// errEnough once limit items were loaded.
type loaderFunc struct {
	limit, seen int64
	load        func(item any) error
	stopped     bool
}

// Load passes item on, or stops generation once the limit is reached.
func (l *loaderFunc) Load(item any) error {
	if l.seen >= l.limit {
		l.stopped = true
		return errEnough
	}
	l.seen++
	return l.load(item)
}

// Flush does nothing: rows go straight to the appenders.
func (l *loaderFunc) Flush() error { return nil }

// generate runs dbgen at scale 1 table by table, stopping each at the
// fractional row count, and appends the rows with keys folded into range.
func generate(a *appenders, n tpchSizes) error {
	dbgenMu.Lock()
	defer dbgenMu.Unlock()
	restore := silenceStdout()
	defer restore()
	dbgen.InitDbGen(1)

	dates := map[string]time.Time{}
	date := func(s string) (time.Time, error) {
		if t, ok := dates[s]; ok {
			return t, nil
		}
		t, err := time.Parse(time.DateOnly, s)
		dates[s] = t
		return t, err
	}
	money := func(cents int64) driver.Value { return cents } // DECIMAL(15,2) takes the unscaled value

	steps := []struct {
		table dbgen.Table
		limit int64
		load  func(item any) error
	}{
		{dbgen.TNation, 25, func(item any) error {
			x := item.(*dbgen.Nation)
			return a.row("nation", int32(x.Code), x.Text, int32(x.Join), x.Comment)
		}},
		{dbgen.TRegion, 5, func(item any) error {
			x := item.(*dbgen.Region)
			return a.row("region", int32(x.Code), x.Text, x.Comment)
		}},
		{dbgen.TSupp, n.suppliers, func(item any) error {
			x := item.(*dbgen.Supp)
			return a.row("supplier", int32(x.SuppKey), x.Name, x.Address, int32(x.NationCode), x.Phone,
				money(int64(x.Acctbal)), x.Comment)
		}},
		{dbgen.TCust, n.customers, func(item any) error {
			x := item.(*dbgen.Cust)
			return a.row("customer", int64(x.CustKey), x.Name, x.Address, int32(x.NationCode), x.Phone,
				money(int64(x.Acctbal)), x.MktSegment, x.Comment)
		}},
		{dbgen.TPartPsupp, n.parts, func(item any) error {
			x := item.(*dbgen.Part)
			p := int64(x.PartKey)
			if err := a.row("part", p, x.Name, x.Mfgr, x.Brand, x.Type, int32(x.Size), x.Container,
				money(int64(x.RetailPrice)), x.Comment); err != nil {
				return err
			}
			for k, ps := range x.S {
				supp := partSuppKey(p, int64(k), n.suppliers)
				if err := a.row("partsupp", p, int32(supp), int32(ps.Qty), money(int64(ps.SCost)), ps.Comment); err != nil {
					return err
				}
			}
			return nil
		}},
		{dbgen.TOrderLine, n.orders, func(item any) error {
			return appendOrder(a, item.(*dbgen.Order), n, date)
		}},
	}
	for _, s := range steps {
		l := &loaderFunc{limit: s.limit, load: s.load}
		err := dbgen.DbGen(map[dbgen.Table]dbgen.Loader{s.table: l}, []dbgen.Table{s.table})
		if err != nil && !l.stopped {
			return err
		}
	}
	return nil
}

// appendOrder appends one order and its line items. Part, supplier and
// customer keys generated for scale 1 are folded into the smaller scale's
// ranges; prices follow the folded part so that l_extendedprice is still
// p_retailprice × l_quantity and o_totalprice still sums its lines.
func appendOrder(a *appenders, o *dbgen.Order, n tpchSizes, date func(string) (time.Time, error)) error {
	var total int64
	for _, l := range o.Lines {
		p := foldKey(int64(l.PartKey), n.parts)
		supp := partSuppKey(p, suppNum(int64(l.PartKey), int64(l.SuppKey)), n.suppliers)
		qty, disc, tax := int64(l.Quantity), int64(l.Discount), int64(l.Tax)
		price := retailPrice(p) * qty
		total += ((price * (100 - disc)) / 100) * (100 + tax) / 100
		ship, err1 := date(l.SDate)
		commit, err2 := date(l.CDate)
		receipt, err3 := date(l.RDate)
		if err := errors.Join(err1, err2, err3); err != nil {
			return err
		}
		if err := a.row("lineitem", int64(l.OKey), p, int32(supp), int32(l.LCnt), qty*100, price, disc, tax,
			string(rune(l.RFlag)), string(rune(l.LStatus)), ship, commit, receipt,
			l.ShipInstruct, l.ShipMode, l.Comment); err != nil {
			return err
		}
	}
	od, err := date(o.Date)
	if err != nil {
		return err
	}
	return a.row("orders", int64(o.OKey), foldKey(int64(o.CustKey), n.customers), string(rune(o.Status)),
		total, od, o.OrderPriority, o.Clerk, int32(o.ShipPriority), o.Comment)
}

// silenceStdout points os.Stdout at the null device until the returned
// function is called: dbgen prints progress lines with fmt.Printf, and
// ferry's own output must stay clean.
func silenceStdout() func() {
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return func() {}
	}
	saved := os.Stdout
	os.Stdout = null
	return func() {
		os.Stdout = saved
		null.Close()
	}
}

// fileExists reports whether path exists.
func fileExists(path string) bool {
	_, err := os.Stat(filepath.Clean(path))
	return err == nil
}
