# Shared by the bench/*.sh scripts: paths and the ferry build.
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_DIR/.." && pwd)
. "$BENCH_DIR/tools.sh"
BENCH_WORK=${BENCH_WORK:-${TMPDIR:-/tmp}/ferry-bench}
mkdir -p "$BENCH_CACHE/bin" "$BENCH_WORK"

# build_ferry builds ./cmd/ferry from the working tree into the cache.
# When the tree does not build (work in progress elsewhere) and
# FERRY_BENCH_REUSE=1, the last good build is used instead, with a warning.
build_ferry() {
	FERRY="$BENCH_CACHE/bin/ferry"
	if ! (cd "$REPO" && go build -o "$FERRY.new" ./cmd/ferry); then
		if [ "${FERRY_BENCH_REUSE:-0}" = 1 ] && [ -x "$FERRY" ]; then
			echo "warning: ./cmd/ferry does not build; using the previous build $FERRY" >&2
			return 0
		fi
		return 1
	fi
	mv "$FERRY.new" "$FERRY"
}

# build_bench NAME builds ./bench/cmd/NAME into the cache and sets BIN.
build_bench() {
	BIN="$BENCH_CACHE/bin/$1"
	(cd "$REPO" && go build -o "$BIN" "./bench/cmd/$1")
}
