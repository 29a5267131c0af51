// Command ferryprof is the ferry command line with profiling: it writes a
// CPU profile to $FERRY_CPUPROFILE and a heap profile (taken at exit) to
// $FERRY_MEMPROFILE when those are set. The benchmarks use it to find
// hotspots; timings are always taken with the plain ./cmd/ferry binary.
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"

	"github.com/ferry-dev/ferry/internal/cli"
)

func main() {
	if p := os.Getenv("FERRY_CPUPROFILE"); p != "" {
		f, err := os.Create(p)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	code := cli.Main(os.Args[1:], cli.StdIO())
	if os.Getenv("FERRY_CPUPROFILE") != "" {
		pprof.StopCPUProfile()
	}
	if p := os.Getenv("FERRY_MEMPROFILE"); p != "" {
		if f, err := os.Create(p); err == nil {
			runtime.GC()
			_ = pprof.Lookup("allocs").WriteTo(f, 0)
			f.Close()
		}
	}
	os.Exit(code)
}
