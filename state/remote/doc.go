// Package remote keeps a ferry state as an object in Amazon S3 (or an
// S3-compatible store) or Alibaba Cloud OSS, so that a team and its CI
// share one state. S3Backend and OSSBackend implement state.Backend with
// the same behaviour as state.Filesystem, object for file:
//
//   - <key> is the state, decoded and encoded by state.Read and
//     state.Write. A state that cannot be read is an *state.Error and is
//     never written over.
//   - <key>.backup is the state as it was before the first Save of the
//     process.
//   - <key>.lock holds the lock holder's state.LockInfo as JSON while a run
//     holds the lock.
//   - <key>.history.jsonl is the audit history, one state.Record per line,
//     hash-chained as state.VerifyChain expects.
//
// # Writers that race
//
// Every Save is conditional on the version of the state this backend last
// saw (at Load or at its previous Save), so a run that read the state
// before another run saved it fails with ErrStateChanged instead of
// silently discarding the other run's work.
//
// On S3 the condition is part of the PUT itself: If-Match with the ETag
// last seen, or If-None-Match: * when the state is being created. S3
// evaluates it atomically with the write, so of any number of writers
// that read the same version exactly one succeeds, with or without the
// lock. (versitygw v1.8.0 evaluates both headers under a per-key publish
// lock; the tests here check it.)
//
// OSS has no If-Match on PutObject. Creation is atomic with
// x-oss-forbid-overwrite: true. An overwrite is checked, then written: the
// backend compares the ETag of the current object (GET or HEAD) with the
// one it last saw and writes only if they match. That detects any write
// that finished before the check, which is every write made under the
// state lock by an earlier holder; it cannot detect a writer that
// overwrites between the check and the PUT, so on OSS concurrent writers
// are kept apart by the lock, not by the write. The lock object itself
// is created with x-oss-forbid-overwrite and is exclusive on both stores.
//
// # Locks outlive their process
//
// Unlike the local OS lock, a lock object is not removed when the process
// that took it dies. A contender gets a *state.LockedError naming the
// holder's user, host, pid, operation, time and lock ID, and ForceUnlock
// with that ID removes the lock once the holder is known to be gone.
package remote
