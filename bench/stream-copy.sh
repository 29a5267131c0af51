#!/usr/bin/env bash
# stream-copy: a 2 GiB data set (1 x 1 GiB + 2,000 x 512 KiB) copied between
# two buckets of a versitygw server on loopback by ferry's stream engine,
# by rclone v1.76.0 at the same concurrency, and by a raw GET->PUT pipe.
# Usage: bench/stream-copy.sh [-runs 3] [-transfers 4] [-part-concurrency 4]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
build_rclone
VERSITYGW=${VERSITYGW:-$(command -v versitygw || echo "$(go env GOPATH)/bin/versitygw")}
if [ ! -x "$VERSITYGW" ]; then
	echo "versitygw not found; install it with: go install github.com/versity/versitygw/cmd/versitygw@v1.8.0" >&2
	exit 1
fi
build_bench streamcopy
exec "$BIN" -versitygw "$VERSITYGW" -rclone "$RCLONE" -work "$BENCH_WORK/stream-copy" "$@"
