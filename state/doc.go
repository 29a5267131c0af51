// Package state records what ferry has done, so that apply can resume
// where it stopped and a second plan after a clean apply says "No changes".
//
// A state is a File: a format version, the ferry version that wrote it, a
// lineage fixed when the state is created, a serial that grows by one on
// every write, and one Resource per address. Read and Write own the on-disk
// JSON encoding; Filesystem stores it in a local file, replacing it
// atomically (temp file, fsync, rename) so a crash leaves either the old or
// the new state and never a torn one, and keeps the state found at the start
// of a run as "<path>.backup".
//
// A Filesystem also takes the run's lock: an OS advisory lock on
// "<path>.lock" that dies with the process holding it, plus the holder's
// details in "<path>.lock.info" so a contender can say who to wait for.
//
// Sync is the single writer an apply shares between its parallel actions:
// every change to a resource is persisted before the call returns. With a
// Filesystem that is one line appended to "<path>.journal" (journal.go),
// which Load replays and every full Save folds into the state file, so an
// action costs the same however large the state is.
//
// History is the append-only audit log next to the state: one JSON line per
// action, each carrying the hash of the previous record so that an edited
// or reordered line is detected by VerifyChain.
//
// This package imports nothing else from ferry.
package state
