// Package planner turns a configuration and a state into a plan: it
// observes the source catalogs, staged objects and target tables (one
// round trip per source, bucket prefix and target), builds the desired
// resources of every migration, diffs them against the state and marks
// what must run, with the reason why.
//
// Planning is an ordered list of small steps, each in its own file:
// observe, desire, diff, propagate, forget.
package planner
