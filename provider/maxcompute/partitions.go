package maxcompute

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ferry-dev/ferry/provider"
	"github.com/ferry-dev/ferry/provider/typemap"
)

// dropBatch is how many partitions one ALTER TABLE … DROP names.
const dropBatch = 50

// partitionKeyBits gives the types MaxCompute allows for partition keys,
// with the width of the integer ones (0: a string type).
var partitionKeyBits = map[string]int{
	typemap.MCString: 0, typemap.MCVarchar: 0, typemap.MCChar: 0,
	typemap.MCTinyint: 8, typemap.MCSmallint: 16, typemap.MCInt: 32, typemap.MCBigint: 64,
}

// partitionKeys describes a table's partition columns for building specs.
type partitionKeys struct {
	names []string
	bits  []int // per key: integer width, 0 for a string key
}

// keysOf checks the table's partition key types.
func keysOf(table provider.TargetTable) (partitionKeys, error) {
	var k partitionKeys
	for _, c := range table.PartitionColumns {
		mt, err := (typemap.Options{ExtendedDecimalScale: true}).ParseMaxCompute(c.Type)
		if err != nil {
			return k, fmt.Errorf("partition column %s: %w", c.Name, err)
		}
		bits, ok := partitionKeyBits[mt.Name]
		if !ok {
			return k, fmt.Errorf("partition column %s: type %s cannot be a partition key", c.Name, mt)
		}
		k.names = append(k.names, c.Name)
		k.bits = append(k.bits, bits)
	}
	return k, nil
}

// spec turns partition values into a static partition spec
// ("`k`='v', `n`=5": string keys as escaped string literals, integer keys
// as integers) and the partition's name as SHOW PARTITIONS prints it
// ("k=v/n=5", keys lower-cased). An integer key's value must be an
// integer of its width: a NULL key, which arrives as the folder text
// __HIVE_DEFAULT_PARTITION__, cannot go into an integer partition.
func (k partitionKeys) spec(values []string) (spec, name string, err error) {
	if len(values) != len(k.names) {
		return "", "", fmt.Errorf("partition %v: %d values for %d partition columns", values, len(values), len(k.names))
	}
	specs := make([]string, len(values))
	names := make([]string, len(values))
	for i, v := range values {
		lit := quoteString(v)
		if k.bits[i] > 0 {
			n, err := strconv.ParseInt(v, 10, k.bits[i])
			if err != nil {
				return "", "", fmt.Errorf("partition column %s: value %q is not an integer of %d bits", k.names[i], v, k.bits[i])
			}
			v = strconv.FormatInt(n, 10)
			lit = v
		}
		specs[i] = typemap.Quote(k.names[i]) + "=" + lit
		names[i] = strings.ToLower(k.names[i]) + "=" + v
	}
	return strings.Join(specs, ", "), strings.Join(names, "/"), nil
}

// parseName reads a SHOW PARTITIONS line ("k=v/n=5") back into values.
func (k partitionKeys) parseName(line string) ([]string, error) {
	parts := strings.Split(line, "/")
	if len(parts) != len(k.names) {
		return nil, fmt.Errorf("partition %q does not have the table's %d keys", line, len(k.names))
	}
	values := make([]string, len(parts))
	for i, p := range parts {
		key, v, ok := strings.Cut(p, "=")
		if !ok || !strings.EqualFold(key, k.names[i]) {
			return nil, fmt.Errorf("partition %q: expected key %s at level %d", line, k.names[i], i+1)
		}
		values[i] = v
	}
	return values, nil
}

// loadPartitions loads each partition of the request with a static LOAD
// OVERWRITE … PARTITION (…) of its folder (through the staging table when
// the plan casts), then lists the table's partitions with SHOW PARTITIONS
// and drops those the request does not list, so that the table ends up
// holding exactly this load. With no partitions listed every partition is
// dropped: the source had no rows. Partitions are loaded one by one, so a
// failure can leave some partitions loaded and stale ones not yet
// dropped; running the load again repairs it.
func (t *Target) loadPartitions(table provider.TargetTable, plan loadPlan,
	parts []provider.Partition, run func(string) error, query func(string) (string, error)) error {
	keys, err := keysOf(table)
	if err != nil {
		return err
	}
	wanted := map[string]bool{}
	staged := make([]stagedPart, 0, len(parts))
	for _, p := range parts {
		spec, name, err := keys.spec(p.Values)
		if err != nil {
			return err
		}
		if wanted[name] {
			return fmt.Errorf("partition %s is listed twice", name)
		}
		if !ossFolder(p.LocationURL) {
			return fmt.Errorf("partition %s: location %q is not an oss:// folder ending in /", name, t.redact(p.LocationURL))
		}
		wanted[name] = true
		staged = append(staged, stagedPart{spec: spec, location: p.LocationURL})
	}
	if plan.staged && len(staged) > 0 {
		if err := t.stagedLoad(table, plan, staged, run); err != nil {
			return err
		}
	} else {
		for _, p := range staged {
			if err := run(t.loadStatement(table.Name, p.spec, p.location)); err != nil {
				return err
			}
		}
	}
	existing, err := showPartitions(table.Name, query)
	if err != nil {
		return err
	}
	var stale []string
	for _, line := range existing {
		values, err := keys.parseName(line)
		if err != nil {
			return err
		}
		spec, name, err := keys.spec(values)
		if err != nil {
			return fmt.Errorf("partition %q: %w", line, err)
		}
		if !wanted[name] {
			stale = append(stale, "PARTITION ("+spec+")")
		}
	}
	for start := 0; start < len(stale); start += dropBatch {
		batch := stale[start:min(start+dropBatch, len(stale))]
		if err := run(fmt.Sprintf("ALTER TABLE %s DROP IF EXISTS %s;", typemap.Quote(table.Name), strings.Join(batch, ", "))); err != nil {
			return fmt.Errorf("drop stale partitions: %w", err)
		}
	}
	return nil
}

// showPartitions runs SHOW PARTITIONS through query and returns its
// "k=v/k2=v2" lines (the result is plain text, one partition a line).
func showPartitions(table string, query func(string) (string, error)) ([]string, error) {
	out, err := query("SHOW PARTITIONS " + typemap.Quote(table) + ";")
	if err != nil {
		return nil, fmt.Errorf("list partitions: %w", err)
	}
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if l = strings.TrimSpace(l); strings.Contains(l, "=") {
			lines = append(lines, l)
		}
	}
	return lines, nil
}
