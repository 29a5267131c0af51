// Package dag holds the dependency graph that ferry plans and applies over.
//
// Vertices are identified by name (for example "redshift.sales.orders" or
// "verify.sales.orders"); the package knows nothing about what a name stands
// for, so the planner and the executor can share it without importing each
// other.
//
// # Edge convention
//
// Every edge is written Connect(dependent, dependency): the dependent needs
// the dependency to have finished before it may start. The convention is
// fixed here once so that every caller reads edges the same way:
//
//   - DependenciesOf(v) lists what v waits for;
//   - DependentsOf(v) lists what waits for v;
//   - Ancestors(v) is the transitive closure of DependenciesOf;
//   - Descendants(v) is the transitive closure of DependentsOf.
//
// Cycle messages follow the same direction: "a -> b" reads "a depends on b".
// Dot and Mermaid drawings use the opposite, execution direction
// (dependency --> dependent), because that is the order a reader follows when
// looking at a migration: unload, then stage, then load, then verify.
//
// # Determinism
//
// Everything a user can see is stable across runs: vertex lists are sorted,
// cycles are rotated to start at their smallest name and then sorted, the
// topological order breaks ties by name, and both renderings sort nodes and
// edges. Walk runs work concurrently, so the order in which callbacks happen
// varies, but its WalkResult is sorted.
//
// # Walking
//
// Walk runs a callback for each vertex once all of its dependencies have
// succeeded, with at most a given number running at once; that limit is an
// argument of each walk, not a property of the graph. A failure stops everything downstream of it; those vertices are
// reported as skipped with the name of the failed ancestor, and no error is
// invented for them, so the error list holds only real failures. Vertices
// marked with AlwaysRun (verification and cleanup steps) opt out of that rule
// and run once all of their dependencies have finished, whatever the outcome.
//
// A Graph is not safe for concurrent modification. Read-only methods,
// including Walk, may be called concurrently with each other.
package dag
