#!/usr/bin/env bash
# e2e-local: the quickstart at TPC-H scale 1 (`ferry apply -auto-approve
# -var tpch_scale=1`) vs a hand-written DuckDB program doing the same work.
# Usage: bench/e2e-local.sh [-runs 3] [-scale 1]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
build_ferry
build_bench e2elocal
exec "$BIN" -ferry "$FERRY" -repo "$REPO" -work "$BENCH_WORK/e2e-local" "$@"
