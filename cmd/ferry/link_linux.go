package main

// The DuckDB bindings link with -rdynamic so that DuckDB extensions loaded
// at run time can find DuckDB's symbols. ferry loads no extension at run
// time (the ones it uses are linked in), and exporting DuckDB's 59,000 C++
// symbols costs every start: the dynamic loader resolves relocations
// through a 6 MB symbol table. --no-export-dynamic comes after -rdynamic
// on the linker's command line, so it wins.

// #cgo LDFLAGS: -Wl,--no-export-dynamic
import "C"
