package executor

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/ferry-dev/ferry/planner/plan"
	"github.com/ferry-dev/ferry/provider"
)

// hiveNull is the folder value Redshift (and Hive) write for a NULL key.
const hiveNull = "__HIVE_DEFAULT_PARTITION__"

// partitions lists the landed <key>=<value>/ folders of a partitioned
// load, in key order, each with the URL its target reads. MaxCompute
// partition values cannot be NULL, so a NULL key is an error that says
// how to avoid it.
func partitions(ctx context.Context, b provider.Bucket, dataPrefix string, keys []plan.Column) ([]provider.Partition, error) {
	objs, err := b.List(ctx, dataPrefix)
	if err != nil {
		return nil, err
	}
	seen := map[string][]string{}
	for _, o := range objs {
		rel := strings.TrimPrefix(o.Key, dataPrefix)
		parts := strings.Split(rel, "/")
		if len(parts) <= len(keys) {
			return nil, fmt.Errorf("object %s is not inside %d partition folders", o.Key, len(keys))
		}
		values := make([]string, len(keys))
		for i, k := range keys {
			name, raw, ok := strings.Cut(parts[i], "=")
			if !ok || !strings.EqualFold(name, k.Name) {
				return nil, fmt.Errorf("object %s: folder %q is not a %s=<value> partition folder", o.Key, parts[i], k.Name)
			}
			if raw == hiveNull {
				return nil, fmt.Errorf("partition key %s has NULL values (folder %s=%s); MaxCompute partition values cannot be NULL — exclude them with the table's where, or partition by another column", k.Name, k.Name, hiveNull)
			}
			v, err := url.PathUnescape(raw)
			if err != nil {
				return nil, fmt.Errorf("object %s: partition value %q: %v", o.Key, raw, err)
			}
			values[i] = v
		}
		folder := strings.Join(parts[:len(keys)], "/") + "/"
		seen[folder] = values
	}
	folders := make([]string, 0, len(seen))
	for f := range seen {
		folders = append(folders, f)
	}
	sort.Strings(folders)
	out := make([]provider.Partition, 0, len(folders))
	for _, f := range folders {
		loc := b.URL(dataPrefix + f)
		if lb, ok := b.(interface{ LocationURL(key string) string }); ok {
			loc = lb.LocationURL(dataPrefix + f)
		}
		out = append(out, provider.Partition{Values: seen[f], LocationURL: loc})
	}
	return out, nil
}
