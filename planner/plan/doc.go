// Package plan is ferry's plan as data: the resources a configuration
// declares, the action planned for each with the reason why, the edges
// between them, and the state lineage and serial the plan was made
// against. Rendering (text, JSON) lives beside the model in this package
// but never changes it; planning lives in package planner, execution in
// package executor.
//
// The package is a leaf: it imports nothing else of ferry's, so the
// saved-plan format depends on no provider.
package plan
