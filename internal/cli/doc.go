// Package cli is ferry's command line: thin cobra commands, each an
// options struct, a constructor and a run function, over the config,
// planner, executor and state packages. Main returns the process exit
// code, so tests run the real command line in-process.
package cli
