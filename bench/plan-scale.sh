#!/usr/bin/env bash
# plan-scale: `ferry plan` on 1,000 / 10,000 (/ 50,000) generated tables vs
# OpenTofu v1.12.6 planning as many terraform_data resources with
# -refresh=false. Usage: bench/plan-scale.sh [-tables 1000,10000] [-runs 3]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
build_tofu
build_ferry
build_bench planscale
exec "$BIN" -ferry "$FERRY" -tofu "$TOFU" -work "$BENCH_WORK/plan-scale" "$@"
