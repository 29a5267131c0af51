package plan

import "fmt"

// Kind is the kind of a resource: one step of a table's migration.
type Kind string

// Resource kinds, in the order a table moves through them.
const (
	KindUnload Kind = "unload" // source table -> staging bucket (Parquet + manifest)
	KindCopy   Kind = "copy"   // staging bucket -> landing bucket
	KindTable  Kind = "table"  // CREATE TABLE in the target
	KindLoad   Kind = "load"   // LOAD OVERWRITE from the landing bucket
	KindVerify Kind = "verify" // compare source, manifest and target
	KindQuery  Kind = "query"  // a migration's custom query, run on both sides
	// KindCleanup deletes staged generations ferry no longer needs.
	KindCleanup Kind = "cleanup"
)

// Action is what apply will do to a resource.
type Action uint8

// Actions. The zero value is NoOp.
const (
	NoOp Action = iota
	// Create runs the resource for the first time.
	Create
	// Replace runs the resource again, replacing what it produced before
	// (a new unload generation, a table dropped and recreated, a load
	// overwritten).
	Replace
	// Forget removes the resource from state without touching any data:
	// ferry never drops target tables implicitly.
	Forget
)

// String returns the action's name.
func (a Action) String() string {
	switch a {
	case NoOp:
		return "no-op"
	case Create:
		return "create"
	case Replace:
		return "replace"
	case Forget:
		return "forget"
	}
	return fmt.Sprintf("Action(%d)", uint8(a))
}

// Symbol is the Terraform-style marker printed before the address.
func (a Action) Symbol() string {
	switch a {
	case Create:
		return "+"
	case Replace:
		return "-/+"
	case Forget:
		return "."
	}
	return " "
}

// MarshalText encodes the action by name, for the JSON plan.
func (a Action) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalText decodes an action name.
func (a *Action) UnmarshalText(b []byte) error {
	for _, c := range []Action{NoOp, Create, Replace, Forget} {
		if c.String() == string(b) {
			*a = c
			return nil
		}
	}
	return fmt.Errorf("unknown action %q", b)
}

// Reason says why an action was planned.
type Reason uint8

// Reasons. The zero value means no reason (NoOp).
const (
	ReasonNone Reason = iota
	// ReasonNew: the resource is not in state yet.
	ReasonNew
	// ReasonConfigChanged: the resource's configuration (and so its
	// fingerprint) differs from what was applied.
	ReasonConfigChanged
	// ReasonSourceChanged: the source table's rows, size or version
	// differ from what was unloaded.
	ReasonSourceChanged
	// ReasonTainted: the last run of the resource failed.
	ReasonTainted
	// ReasonInterrupted: the last run started but never finished (a crash
	// or a kill).
	ReasonInterrupted
	// ReasonReplaceRequested: named with --replace.
	ReasonReplaceRequested
	// ReasonUpstream: a resource it depends on will run.
	ReasonUpstream
	// ReasonTargetMissing: the target table is gone.
	ReasonTargetMissing
	// ReasonTargetDrift: the target table's schema or rows no longer match
	// what ferry created or loaded.
	ReasonTargetDrift
	// ReasonStagedMissing: a later step must run and the staged files it
	// needs are gone.
	ReasonStagedMissing
	// ReasonNotInConfig: the resource is in state but no longer in the
	// configuration.
	ReasonNotInConfig
	// ReasonSuperseded: staged generations older than the verified one.
	ReasonSuperseded
	// ReasonNotKept: keep_staged = false and the load is verified.
	ReasonNotKept
	// ReasonRemoved: a removed block says to stop managing it.
	ReasonRemoved
)

var reasonNames = map[Reason]string{
	ReasonNone:             "",
	ReasonNew:              "new",
	ReasonConfigChanged:    "config changed",
	ReasonSourceChanged:    "source changed",
	ReasonTainted:          "tainted",
	ReasonInterrupted:      "interrupted",
	ReasonReplaceRequested: "replace requested",
	ReasonUpstream:         "upstream changed",
	ReasonTargetMissing:    "target table missing",
	ReasonTargetDrift:      "target drifted",
	ReasonStagedMissing:    "staged files missing",
	ReasonNotInConfig:      "not in configuration",
	ReasonSuperseded:       "superseded generations",
	ReasonNotKept:          "keep_staged = false",
	ReasonRemoved:          "removed block",
}

// String returns the reason as the plan prints it.
func (r Reason) String() string {
	if s, ok := reasonNames[r]; ok {
		return s
	}
	return fmt.Sprintf("Reason(%d)", uint8(r))
}

// MarshalText encodes the reason by name.
func (r Reason) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText decodes a reason name.
func (r *Reason) UnmarshalText(b []byte) error {
	for k, v := range reasonNames {
		if v == string(b) {
			*r = k
			return nil
		}
	}
	return fmt.Errorf("unknown reason %q", b)
}
