// Package config reads a directory of *.ferry.hcl files into a Config.
//
// Loading happens in one pass per concern, in a fixed order, because each
// step needs what the previous one produced: variables are declared and
// resolved first (defaults, FERRY_VAR_ environment variables, --var-file
// files, then --var flags), then they feed the evaluation context used by
// source, bucket, target and backend blocks, and finally migration blocks
// are decoded, whose from, via and to references must name blocks that
// already exist.
//
// Everything wrong with a configuration is reported as hcl.Diagnostics with a
// subject range, so WriteDiagnostics can show the offending line. The loader
// keeps going after an error to report as many problems as it can in one run,
// and it keeps a range on every decoded value so later stages (the planner,
// which knows the source catalog) can point at the line that caused their own
// errors, such as an unknown MaxCompute type or a glob matching no table.
//
// The package imports nothing else from ferry: it only turns text into data.
package config
