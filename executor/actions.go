package executor

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ferry-dev/ferry/planner/plan"
	"github.com/ferry-dev/ferry/provider"
	"github.com/ferry-dev/ferry/provider/typemap"
	"github.com/ferry-dev/ferry/state"
)

func (e *executor) act(ctx context.Context, r *plan.Resource, gen string) (outcome, error) {
	switch r.Kind {
	case plan.KindUnload:
		return e.unload(ctx, r, gen)
	case plan.KindCopy:
		return e.copy(ctx, r, gen)
	case plan.KindTable:
		return e.table(ctx, r)
	case plan.KindLoad:
		return e.load(ctx, r, gen)
	case plan.KindVerify:
		return e.verify(ctx, r)
	case plan.KindQuery:
		return e.query(ctx, r)
	case plan.KindCleanup:
		return e.cleanup(ctx, r)
	}
	return outcome{}, fmt.Errorf("unknown resource kind %q", r.Kind)
}

// UnloadOutput is what an unload records in state.
type UnloadOutput struct {
	// Source is the table as the catalog described it when it was
	// planned (a plan without refresh reads it back).
	Source provider.TableInfo `json:"source"`
	// FileColumns are the types the engine wrote, from one file's footer
	// (when the source can read it).
	FileColumns []provider.FileColumn `json:"file_columns,omitempty"`
	DataPrefix  string                `json:"data_prefix"`
	Manifest    string                `json:"manifest"`
	Files       int                   `json:"files"`
	Rows        int64                 `json:"rows"`
	Bytes       int64                 `json:"bytes"`
}

func (e *executor) unload(ctx context.Context, r *plan.Resource, gen string) (outcome, error) {
	u := r.Unload
	src, err := e.opts.Providers.Source(ctx, u.Source)
	if err != nil {
		return outcome{}, err
	}
	b, err := e.opts.Providers.Bucket(ctx, u.Bucket)
	if err != nil {
		return outcome{}, err
	}
	dataPrefix := u.Prefix + gen + "/data/"
	manifestKey := u.Prefix + gen + "/manifest"
	req := provider.UnloadRequest{
		Table: r.SourceTable, Select: u.Select,
		DataURL: b.URL(dataPrefix), ManifestURL: b.URL(manifestKey), MaxFileSize: u.MaxFileSize,
		PartitionBy: u.PartitionBy,
	}
	var m *provider.Manifest
	var footer []provider.FileColumn
	if fu, ok := src.(provider.FooterUnloader); ok {
		m, footer, err = fu.UnloadWithFooter(ctx, req)
	} else {
		m, err = src.Unload(ctx, req)
	}
	if err != nil {
		return outcome{statement: u.Select}, fmt.Errorf("unload %s: %w", r.SourceTable, err)
	}
	if err := e.checkFooter(r, footer); err != nil {
		return outcome{statement: u.Select}, err
	}
	var sum int64
	for _, en := range m.Entries {
		sum += en.Meta.RecordCount
	}
	if sum != m.Meta.RecordCount {
		return outcome{}, fmt.Errorf("unload %s: manifest entries count %d rows but its total says %d", r.SourceTable, sum, m.Meta.RecordCount)
	}
	info := provider.TableInfo{Rows: u.Rows, Bytes: u.Bytes, Version: u.Version}
	info.Schema, info.Name, _ = strings.Cut(r.SourceTable, ".")
	for _, c := range u.Columns {
		info.Columns = append(info.Columns, provider.Column{Name: c.Name, Type: c.Type, Nullable: c.Nullable})
	}
	out := UnloadOutput{Source: info, FileColumns: footer, DataPrefix: dataPrefix, Manifest: manifestKey, Files: len(m.Entries), Rows: m.Meta.RecordCount, Bytes: m.Meta.ContentLength}
	return outcome{
		observed: map[string]string{
			plan.ObsRows: itoa(u.Rows), plan.ObsBytes: itoa(u.Bytes), plan.ObsVersion: u.Version,
			plan.ObsFiles: strconv.Itoa(len(m.Entries)), plan.ObsManifest: itoa(m.Meta.RecordCount),
		},
		output: out, rows: m.Meta.RecordCount, bytes: m.Meta.ContentLength, statement: u.Select,
		message: fmt.Sprintf("%s rows in %d files (%s)", plan.Count(m.Meta.RecordCount), len(m.Entries), plan.Bytes(m.Meta.ContentLength)),
	}, nil
}

func (e *executor) copy(ctx context.Context, r *plan.Resource, gen string) (outcome, error) {
	c := r.Copy
	src, err := e.opts.Providers.Bucket(ctx, c.From)
	if err != nil {
		return outcome{}, err
	}
	dst, err := e.opts.Providers.Bucket(ctx, c.To)
	if err != nil {
		return outcome{}, err
	}
	cp, err := e.opts.Copier(r.Migration, c.Engine, c.Options)
	if err != nil {
		return outcome{}, err
	}
	started := e.opts.Now()
	res, err := cp.Copy(ctx, provider.CopyRequest{
		Src: src, SrcPrefix: c.FromPrefix + gen + "/", Dst: dst, DstPrefix: c.ToPrefix + gen + "/",
		Progress: func(p provider.CopyProgress) {
			e.emit(Event{Type: EventProgress, Addr: r.Addr, Kind: r.Kind, Action: r.Action, Bytes: p.Bytes,
				Message: copyProgress(p, e.opts.Now().Sub(started))})
		},
	})
	if err != nil {
		return outcome{}, fmt.Errorf("copy %s: %w", r.SourceTable, err)
	}
	return outcome{
		observed: map[string]string{plan.ObsObjects: strconv.Itoa(len(res.Objects)), plan.ObsBytes: itoa(res.Bytes)},
		output:   res, bytes: res.Bytes,
		message: fmt.Sprintf("%d objects copied, %d already there (%s)", res.Copied, res.Skipped, plan.Bytes(res.Bytes)),
	}, nil
}

func (e *executor) table(ctx context.Context, r *plan.Resource) (outcome, error) {
	t := r.Table
	tgt, err := e.opts.Providers.Target(ctx, t.Target)
	if err != nil {
		return outcome{}, err
	}
	spec := provider.TableSpec{Name: t.Name, Lifecycle: t.Lifecycle, Comment: "created by ferry"}
	for _, c := range t.Columns {
		spec.Columns = append(spec.Columns, provider.Column{Name: c.Target, Type: c.TargetType, Nullable: c.Nullable})
	}
	for _, c := range t.PartitionColumns {
		spec.PartitionColumns = append(spec.PartitionColumns, provider.Column{Name: c.Name, Type: c.Type})
	}
	live, exists, err := e.lookupTable(ctx, t.Target, tgt, t.Name)
	if err != nil {
		return outcome{}, err
	}
	if exists {
		if !live.CreatedByFerry {
			return outcome{}, fmt.Errorf("target table %s exists and was not created by ferry; ferry will not replace it (rename the target with a table block, or drop it yourself)", t.Name)
		}
		if sameColumns(live.Columns, spec.Columns) && sameColumns(live.PartitionColumns, spec.PartitionColumns) && r.Action == plan.Create {
			// A table ferry created in an interrupted run: adopt it.
			return outcome{output: spec, message: "existing table adopted"}, nil
		}
		if err := tgt.DropTable(ctx, t.Name); err != nil {
			return outcome{}, fmt.Errorf("drop table %s: %w", t.Name, err)
		}
		e.rememberTable(t.Target, nil, t.Name)
	}
	if err := tgt.CreateTable(ctx, spec); err != nil {
		return outcome{}, fmt.Errorf("create table %s: %w", t.Name, err)
	}
	e.rememberTable(t.Target, &provider.TargetTable{Name: t.Name, Columns: spec.Columns, PartitionColumns: spec.PartitionColumns, Rows: -1, CreatedByFerry: true}, t.Name)
	return outcome{output: spec, message: fmt.Sprintf("%d columns", len(spec.Columns))}, nil
}

func sameColumns(a, b []provider.Column) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !strings.EqualFold(a[i].Name, b[i].Name) || !strings.EqualFold(strings.ReplaceAll(a[i].Type, " ", ""), strings.ReplaceAll(b[i].Type, " ", "")) {
			return false
		}
	}
	return true
}

func (e *executor) load(ctx context.Context, r *plan.Resource, gen string) (outcome, error) {
	l := r.Load
	tgt, err := e.opts.Providers.Target(ctx, l.Target)
	if err != nil {
		return outcome{}, err
	}
	b, err := e.opts.Providers.Bucket(ctx, l.Bucket)
	if err != nil {
		return outcome{}, err
	}
	loc := b.URL(l.Prefix + gen + "/data/")
	if lb, ok := b.(interface{ LocationURL(key string) string }); ok {
		// Object stores whose engines address them differently (OSS:
		// oss://endpoint/bucket/key for MaxCompute's LOAD).
		loc = lb.LocationURL(l.Prefix + gen + "/data/")
	}
	req := provider.LoadRequest{Table: l.Table, LocationURL: loc}
	if len(l.PartitionColumns) > 0 {
		if req.Partitions, err = partitions(ctx, b, l.Prefix+gen+"/data/", l.PartitionColumns); err != nil {
			return outcome{}, fmt.Errorf("load %s: %w", l.Table, err)
		}
	}
	for _, c := range l.FileColumns {
		req.FileColumns = append(req.FileColumns, provider.Column{Name: c.Name, Type: c.Type, Nullable: c.Nullable})
	}
	res, err := tgt.Load(ctx, req)
	if err != nil {
		return outcome{}, fmt.Errorf("load %s: %w", l.Table, err)
	}
	want := e.manifestRows(r)
	if want >= 0 && res.Rows != want {
		return outcome{output: res}, fmt.Errorf("load %s: loaded %d rows but the unload manifest counts %d", l.Table, res.Rows, want)
	}
	return outcome{
		observed: map[string]string{plan.ObsRows: itoa(res.Rows)},
		output:   res, rows: res.Rows, statement: strings.Join(res.Statements, ";\n"),
		message: fmt.Sprintf("%s rows", plan.Count(res.Rows)),
	}, nil
}

// manifestRows is the row count of the unload behind a load or verify
// (-1: unknown).
func (e *executor) manifestRows(r *plan.Resource) int64 {
	addr := plan.GroupKey(r.Addr) + ".unload"
	s := e.opts.State.Get(addr)
	if s == nil {
		return -1
	}
	n, err := strconv.ParseInt(s.Observed[plan.ObsManifest], 10, 64)
	if err != nil {
		return -1
	}
	return n
}

// unloadState returns the recorded unload of a table.
func (e *executor) unloadState(addr string) (*state.Resource, error) {
	s := e.opts.State.Get(addr)
	if s == nil || s.Status != state.StatusDone {
		return nil, errors.New(addr + " has not completed")
	}
	return s, nil
}

// cleanup deletes the staged generation folders the plan lists, and only
// those: every key deleted lies under a listed folder.
func (e *executor) cleanup(ctx context.Context, r *plan.Resource) (outcome, error) {
	var deleted int64
	folders := append([]plan.StagedFolder(nil), r.Cleanup.Deletes...)
	if r.Cleanup.CurrentToo {
		base := plan.GroupKey(r.Addr)
		u, c := e.opts.State.Get(base+".unload"), e.opts.State.Get(base+".copy")
		if u == nil || u.Generation == "" {
			return outcome{}, fmt.Errorf("cleanup: %s.unload has no generation", base)
		}
		if up := e.byAddr[base+".unload"]; up != nil {
			folders = append(folders, plan.StagedFolder{Bucket: up.Unload.Bucket, Prefix: up.Unload.Prefix + u.Generation + "/"})
		}
		if cp := e.byAddr[base+".copy"]; cp != nil && c != nil && (cp.Copy.To != cp.Copy.From || cp.Copy.ToPrefix != cp.Copy.FromPrefix) {
			folders = append(folders, plan.StagedFolder{Bucket: cp.Copy.To, Prefix: cp.Copy.ToPrefix + c.Generation + "/"})
		}
	}
	for _, f := range folders {
		b, err := e.opts.Providers.Bucket(ctx, f.Bucket)
		if err != nil {
			return outcome{}, err
		}
		objs, err := b.List(ctx, f.Prefix)
		if err != nil {
			return outcome{}, fmt.Errorf("cleanup %s: %w", f.Prefix, err)
		}
		keys := make([]string, 0, len(objs))
		for _, o := range objs {
			if strings.HasPrefix(o.Key, f.Prefix) {
				keys = append(keys, o.Key)
			}
		}
		if err := b.Delete(ctx, keys); err != nil {
			return outcome{}, fmt.Errorf("cleanup %s: %w", f.Prefix, err)
		}
		deleted += int64(len(keys))
	}
	return outcome{output: r.Cleanup, message: fmt.Sprintf("deleted %d objects in %d folders", deleted, len(folders))}, nil
}

// checkFooter compares the types the source actually wrote with the ones
// the plan's load expects, so a difference fails the unload with a clear
// message instead of the load with ODPS-0123131.
func (e *executor) checkFooter(r *plan.Resource, footer []provider.FileColumn) error {
	load := e.byAddr[plan.GroupKey(r.Addr)+".load"]
	if len(footer) == 0 || load == nil {
		return nil
	}
	written := map[string]provider.FileColumn{}
	for _, f := range footer {
		written[strings.ToLower(f.Name)] = f
	}
	for _, c := range load.Load.FileColumns {
		f, ok := written[strings.ToLower(c.Name)]
		if !ok || f.Type == "" {
			continue
		}
		ft, err1 := typemap.ParseMaxCompute(f.Type)
		pt, err2 := typemap.ParseMaxCompute(c.Type)
		if err1 != nil || err2 != nil {
			continue
		}
		if !ft.Equal(pt) && !typemap.DirectLoad(ft, pt) {
			return fmt.Errorf("unload %s: column %s was written as %s (Parquet %s %s) but the load expects %s; the load would fail with ODPS-0123131 — override the column type or cast it in the table block",
				r.SourceTable, c.Name, f.Type, f.Physical, f.Logical, c.Type)
		}
	}
	return nil
}

// copyProgress describes a running copy: objects, bytes, throughput and
// the time left at that rate.
func copyProgress(p provider.CopyProgress, elapsed time.Duration) string {
	msg := fmt.Sprintf("%d/%d objects, %s/%s", p.Objects, p.ObjectsTotal, plan.Bytes(p.Bytes), plan.Bytes(p.BytesTotal))
	if elapsed < time.Second || p.Bytes <= 0 {
		return msg
	}
	rate := float64(p.Bytes) / elapsed.Seconds()
	msg += fmt.Sprintf(", %s/s", plan.Bytes(int64(rate)))
	if left := p.BytesTotal - p.Bytes; left > 0 {
		msg += fmt.Sprintf(", about %s left", time.Duration(float64(left)/rate*float64(time.Second)).Round(time.Second))
	}
	return msg
}
