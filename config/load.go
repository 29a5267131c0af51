package config

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// FileSuffix is the name suffix that marks a file as ferry configuration.
const FileSuffix = ".ferry.hcl"

// LoadOptions carries the values that come from outside the configuration
// directory: the command line and the environment.
type LoadOptions struct {
	// Vars are --var name=value flags. They win over every other source.
	Vars map[string]string
	// VarFiles are --var-file paths: HCL files of name = value attributes,
	// applied in order, each overriding the ones before it.
	VarFiles []string
	// Env is the process environment in os.Environ form. Entries named
	// FERRY_VAR_<name> set variables (weakest after defaults) and env()
	// reads from it. Nil is an empty environment, which keeps tests
	// independent of the machine they run on; commands pass os.Environ().
	Env []string
}

// envVarPrefix marks environment variables that set ferry variables.
const envVarPrefix = "FERRY_VAR_"

// rootSchema lists the top-level blocks; anything else is diagnosed by HCL
// as an unsupported block type or argument.
var rootSchema = &hcl.BodySchema{
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "variable", LabelNames: []string{"name"}},
		{Type: "source", LabelNames: []string{"kind", "name"}},
		{Type: "bucket", LabelNames: []string{"kind", "name"}},
		{Type: "target", LabelNames: []string{"kind", "name"}},
		{Type: "migration", LabelNames: []string{"name"}},
		{Type: "backend", LabelNames: []string{"kind"}},
		{Type: "moved"},
		{Type: "removed"},
	},
}

// loader holds what one Load call accumulates.
type loader struct {
	dir    string
	opts   LoadOptions
	env    map[string]string
	parser *hclparse.Parser
	cfg    *Config
	ctx    *hcl.EvalContext
	// inputs records every env() and file() result, so the hash changes
	// when something the configuration read from outside changes.
	inputs map[string]string
}

// Load reads every *.ferry.hcl file in dir, in name order, and decodes them
// into one Config.
//
// The returned Config is never nil: its Files are always filled so the
// diagnostics can be rendered with WriteDiagnostics. It is complete only when
// the diagnostics hold no error. Besides the files and variable values that
// types.go lists, the Hash also covers the results of env() and file() calls.
func Load(dir string, opts LoadOptions) (*Config, hcl.Diagnostics) {
	l := &loader{
		dir:    dir,
		opts:   opts,
		env:    parseEnv(opts.Env),
		parser: hclparse.NewParser(),
		inputs: map[string]string{},
		cfg: &Config{
			Dir:       dir,
			Variables: map[string]*Variable{},
			Sources:   map[string]*Provider{},
			Buckets:   map[string]*Provider{},
			Targets:   map[string]*Provider{},
			Files:     map[string]*hcl.File{},
		},
	}
	return l.cfg, l.load()
}

// parseFile parses one configuration file, refusing number literals the
// parser would take minutes over (checkNumbers). The file is returned for
// rendering diagnostics even when it is refused.
func (l *loader) parseFile(path string) (*hcl.File, hcl.Diagnostics) {
	src, err := os.ReadFile(path)
	if err != nil {
		return l.parser.ParseHCLFile(path) // its own "Failed to read file"
	}
	if d := checkNumbers(src, path, hcl.InitialPos); d.HasErrors() {
		return &hcl.File{Body: hcl.EmptyBody(), Bytes: src}, d
	}
	return l.parser.ParseHCL(src, path)
}

func (l *loader) load() hcl.Diagnostics {
	names, diags := configFiles(l.dir)
	if diags.HasErrors() {
		return diags
	}
	var bodies []hcl.Body
	for _, name := range names {
		path := filepath.Join(l.dir, name)
		f, d := l.parseFile(path)
		diags = append(diags, d...)
		if f != nil {
			l.cfg.Files[path] = f
			bodies = append(bodies, f.Body)
		}
	}
	if diags.HasErrors() {
		// A file that does not parse yields a partial body; decoding it
		// would only add confusing follow-on errors.
		return diags
	}

	byType := map[string][]*hcl.Block{}
	for _, body := range bodies {
		content, d := body.Content(rootSchema)
		diags = append(diags, d...)
		for _, b := range content.Blocks {
			byType[b.Type] = append(byType[b.Type], b)
		}
	}

	diags = append(diags, l.loadVariables(byType["variable"])...)
	l.ctx = l.evalContext()
	for _, role := range []string{"source", "bucket", "target"} {
		diags = append(diags, l.loadProviders(byType[role])...)
	}
	diags = append(diags, l.loadBackend(byType["backend"])...)
	diags = append(diags, l.loadMigrations(byType["migration"])...)
	diags = append(diags, l.loadMoves(byType["moved"])...)
	diags = append(diags, l.loadRemovals(byType["removed"])...)
	l.cfg.Hash = l.hash(names)
	return diags
}

// configFiles returns the names of the configuration files in dir, sorted.
func configFiles(dir string) ([]string, hcl.Diagnostics) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Failed to read configuration directory",
			Detail:   fmt.Sprintf("Could not read %s: %s.", dir, err),
		}}
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), FileSuffix) {
			names = append(names, e.Name())
		}
	}
	if len(names) == 0 {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "No configuration files",
			Detail:   fmt.Sprintf("no *%s files in %s", FileSuffix, dir),
		}}
	}
	sort.Strings(names)
	return names, nil
}

// parseEnv turns os.Environ entries into a map; later entries win, as they
// do for the process environment.
func parseEnv(environ []string) map[string]string {
	env := make(map[string]string, len(environ))
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && k != "" {
			env[k] = v
		}
	}
	return env
}

// hash computes Config.Hash: file names (base names, so moving the
// directory keeps the hash) and contents, then every variable's type and
// value, then the recorded env() and file() results, each in sorted order
// and length-prefixed so no two inputs can collide by concatenation.
func (l *loader) hash(names []string) string {
	h := sha256.New()
	field := func(s string) {
		fmt.Fprintf(h, "%d:", len(s))
		io.WriteString(h, s)
	}
	for _, name := range names {
		field("file")
		field(name)
		if f := l.cfg.Files[filepath.Join(l.dir, name)]; f != nil {
			field(string(f.Bytes))
		}
	}
	for _, name := range sortedKeys(l.cfg.Variables) {
		v := l.cfg.Variables[name]
		field("var")
		field(name)
		field(v.Type.FriendlyName())
		field(valueString(v))
	}
	for _, k := range sortedKeys(l.inputs) {
		field("input")
		field(k)
		field(l.inputs[k])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// valueString renders a variable's value for hashing.
func valueString(v *Variable) string {
	if !v.Value.IsWhollyKnown() {
		return "(unknown)"
	}
	b, err := ctyjson.Marshal(v.Value, v.Value.Type())
	if err != nil {
		return v.Value.GoString()
	}
	return string(b)
}

// sortedKeys returns a map's keys in order, for deterministic output.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
