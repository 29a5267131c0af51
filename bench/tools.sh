#!/usr/bin/env bash
# Builds the baseline tools (OpenTofu, rclone) from the Go module proxy into a
# cache directory outside the repository, once. Sourced by the benchmark
# scripts; run directly to pre-build: bench/tools.sh [tofu|rclone|all]
set -euo pipefail

BENCH_CACHE=${BENCH_CACHE:-$HOME/.cache/ferry-bench}
TOFU_VERSION=${TOFU_VERSION:-v1.12.6}
RCLONE_VERSION=${RCLONE_VERSION:-v1.76.0}
mkdir -p "$BENCH_CACHE"
TOFU="$BENCH_CACHE/tofu-$TOFU_VERSION"
RCLONE="$BENCH_CACHE/rclone-$RCLONE_VERSION"

build_tofu() {
	[ -x "$TOFU" ] && return 0
	echo "building OpenTofu $TOFU_VERSION into $TOFU (a few minutes)" >&2
	local dir
	dir=$(cd /tmp && GOFLAGS=-mod=mod go mod download -json "github.com/opentofu/opentofu@$TOFU_VERSION" |
		sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
	(cd "$dir" && GOFLAGS= CGO_ENABLED=0 go build -o "$TOFU.tmp" ./cmd/tofu)
	mv "$TOFU.tmp" "$TOFU"
}

build_rclone() {
	[ -x "$RCLONE" ] && return 0
	echo "building rclone $RCLONE_VERSION into $RCLONE (a few minutes)" >&2
	local gobin="$BENCH_CACHE/gobin-rclone"
	(cd /tmp && GOFLAGS= GOBIN="$gobin" go install "github.com/rclone/rclone@$RCLONE_VERSION")
	mv "$gobin/rclone" "$RCLONE"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	case "${1:-all}" in
	tofu) build_tofu ;;
	rclone) build_rclone ;;
	all) build_tofu; build_rclone ;;
	esac
fi
