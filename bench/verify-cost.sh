#!/usr/bin/env bash
# verify-cost: the aggregates and fingerprint SQL of package verify on
# lineitem at TPC-H scale 1 vs one full scan of the table (a statement
# reading all 16 columns; the one-column scan is shown as context).
# Usage: bench/verify-cost.sh [-runs 5]
# Prepares its own target once (untimed): the scale-1 source seeded by
# bench/e2e-local.sh (or seeded here) and one `ferry apply`.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
build_ferry
dir="$BENCH_WORK/verify-cost"
seed="$BENCH_WORK/e2e-local/seed/tpch-sf1.duckdb"
if [ ! -f "$dir/.ferry/maxcompute.duckdb" ]; then
	rm -rf "$dir"
	mkdir -p "$dir/.ferry" "$dir/queries"
	cp "$REPO/examples/quickstart/main.ferry.hcl" "$dir/"
	cp "$REPO/examples/quickstart/queries/q1.sql" "$dir/queries/"
	if [ -f "$seed" ]; then cp "$seed" "$dir/.ferry/redshift.duckdb"; fi
	echo "preparing lineitem at scale 1 with ferry apply (once, not timed)" >&2
	"$FERRY" -chdir="$dir" apply -auto-approve -no-color -var tpch_scale=1 >"$dir/apply.log"
fi
build_bench verifycost
exec "$BIN" -source "$dir/.ferry/redshift.duckdb" -target "$dir/.ferry/maxcompute.duckdb" "$@"
