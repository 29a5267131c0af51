package cli

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ferry-dev/ferry/planner/plan"
	"github.com/ferry-dev/ferry/state"
	"github.com/ferry-dev/ferry/verify"
)

func newCmdReport(g *globals) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Report what was migrated and what verification found",
		Long: `Build a report from the state and the audit history: per migration, the
tables verified, failed and pending; per table its rows, bytes, duration and
verification result, with mismatches and their samples. --format html writes
one self-contained page (no network fetches) for auditors.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := g.readState()
			if err != nil {
				return err
			}
			recs, err := g.readHistory()
			if err != nil {
				return err
			}
			page := buildReport(st, recs)
			switch format {
			case "html":
				return verify.RenderReportsHTML(g.io.Out, page)
			case "text":
				return verify.RenderReportsText(g.io.Out, namedReports(page))
			case "json":
				return verify.RenderReportsJSON(g.io.Out, namedReports(page))
			case "markdown":
				return verify.RenderReportsMarkdown(g.io.Out, namedReports(page))
			}
			return fmt.Errorf("--format %q: want text, json, markdown or html", format)
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "`FORMAT`: text, json, markdown or html")
	return cmd
}

// buildReport joins the state (what is done, rows, bytes) with the latest
// full verification report of each table from the history.
func buildReport(st *state.File, recs []state.Record) verify.ReportPage {
	latest := map[string]*verify.Report{}
	planID := ""
	durations := map[string]time.Duration{}
	for _, r := range recs {
		planID = r.PlanID
		durations[plan.GroupKey(r.Addr)] += time.Duration(r.DurationMS) * time.Millisecond
		if r.Result != "ok" && r.Result != "error" || len(r.Details) == 0 {
			continue
		}
		if strings.HasSuffix(r.Addr, ".verify") || strings.Contains(r.Addr, ".query.") {
			var rep verify.Report
			if json.Unmarshal(r.Details, &rep) == nil && rep.Level != "" {
				latest[r.Addr] = &rep
			}
		}
	}
	byMigration := map[string]*verify.MigrationReport{}
	var names []string
	for _, addr := range st.Addrs() {
		if !strings.HasSuffix(addr, ".unload") {
			continue
		}
		parts := strings.SplitN(addr, ".", 4) // migration, <m>, table, <schema.table>.unload
		if len(parts) < 4 {
			continue
		}
		m := parts[1]
		if byMigration[m] == nil {
			byMigration[m] = &verify.MigrationReport{Name: m}
			names = append(names, m)
		}
		base := plan.GroupKey(addr)
		row := verify.TableRow{Addr: base, Source: strings.TrimSuffix(parts[3], ".unload"), Status: "pending", Duration: durations[base]}
		if l := st.Resources[base+".load"]; l != nil {
			row.Rows, _ = strconv.ParseInt(l.Observed[plan.ObsRows], 10, 64)
		}
		if c := st.Resources[base+".copy"]; c != nil {
			row.Bytes, _ = strconv.ParseInt(c.Observed[plan.ObsBytes], 10, 64)
		}
		if u := st.Resources[addr]; u != nil && row.Bytes == 0 {
			row.Bytes, _ = strconv.ParseInt(u.Observed[plan.ObsBytes], 10, 64)
		}
		if v := st.Resources[base+".verify"]; v != nil {
			row.Status = string(v.Status)
			if rep := latest[base+".verify"]; rep != nil && v.Status != state.StatusRunning {
				row.Report, row.Level, row.Target = rep, rep.Level, rep.Table
				row.Result = "failed"
				if rep.Passed {
					row.Result = "passed"
				}
			}
		}
		byMigration[m].Tables = append(byMigration[m].Tables, row)
	}
	sort.Strings(names)
	page := verify.ReportPage{PlanID: planID, Serial: st.Serial}
	for _, n := range names {
		page.Migrations = append(page.Migrations, *byMigration[n])
	}
	return page
}

func namedReports(page verify.ReportPage) []verify.NamedReport {
	var out []verify.NamedReport
	for _, m := range page.Migrations {
		for _, t := range m.Tables {
			out = append(out, verify.NamedReport{Name: t.Addr, Report: t.Report})
		}
	}
	return out
}
