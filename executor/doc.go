// Package executor applies a plan: it walks the planned resources as a
// DAG with bounded parallelism, marks each resource running in the state
// before its side effects and done or tainted after, appends one history
// record per action, and reports progress as events.
//
// Stopping has two stages: cancelling the stop context starts no new
// action but lets running ones finish and save; cancelling the abort
// context interrupts running actions too (their resources stay marked
// running, so the next plan redoes them).
package executor
