package cli

import (
	"context"
	"database/sql"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/ferry-dev/ferry/state"
)

var update = flag.Bool("update", false, "rewrite golden output in testdata/script/*.txtar")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"ferry": func() { os.Exit(Main(os.Args[1:], StdIO())) },
	})
}

// TestScripts runs the CLI scenarios in testdata/script: each is a
// directory of configuration and the commands a user would type, with
// the output they must see.
func TestScripts(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: *update,
		Setup: func(env *testscript.Env) error {
			env.Setenv("FERRY_ROOT", root)
			env.Setenv("NO_COLOR", "1")
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"duckdb":    cmdDuckDB,
			"lockstate": cmdLockState,
		},
	})
}

// cmdDuckDB runs SQL statements against a DuckDB file: duckdb FILE SQL...
// It prints query results (one row per line, values separated by |) so
// scripts can assert data.
func cmdDuckDB(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: duckdb FILE SQL...")
	}
	db, err := sql.Open("duckdb", ts.MkAbs(args[0]))
	ts.Check(err)
	defer db.Close()
	for _, q := range args[1:] {
		rows, err := db.Query(q)
		if err != nil {
			if neg {
				return
			}
			ts.Fatalf("duckdb: %v", err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			ts.Check(rows.Scan(ptrs...))
			parts := make([]string, len(vals))
			for i, v := range vals {
				parts[i] = toString(v)
			}
			ts.Stdout().Write([]byte(strings.Join(parts, "|") + "\n"))
		}
		ts.Check(rows.Err())
		rows.Close()
	}
	if neg {
		ts.Fatalf("duckdb: unexpected success")
	}
}

// cmdLockState holds the lock of a state file until the script ends:
// lockstate PATH.
func cmdLockState(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: lockstate PATH")
	}
	fs := state.NewFilesystem(ts.MkAbs(args[0]))
	unlock, err := fs.Lock(context.Background(), state.LockInfo{Operation: "apply", Who: "alice", Host: "ci-runner-7"}, 0)
	ts.Check(err)
	ts.Defer(func() { _ = unlock() })
}
