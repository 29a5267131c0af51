package maxcompute

import (
	"context"
	"fmt"
	"regexp"

	"github.com/ferry-dev/ferry/provider"
)

var _ provider.Preflighter = (*Target)(nil)

// roleARN is the form of a RAM role ARN: acs:ram::<account id>:role/<name>.
var roleARN = regexp.MustCompile(`^acs:ram::[0-9]+:role/[A-Za-z0-9._-]+$`)

// Preflight runs a trivial SQL job in the project (reachable, AccessKey
// valid, SQL jobs allowed, the 2.0 type system accepted) and checks the
// load role ARN's form.
func (t *Target) Preflight(ctx context.Context) error {
	if t.cfg.LoadRoleArn != "" && !roleARN.MatchString(t.cfg.LoadRoleArn) {
		return fmt.Errorf("load_role_arn %q is not a RAM role ARN (acs:ram::<account id>:role/<name>)", t.cfg.LoadRoleArn)
	}
	if _, err := t.exec(ctx, "SELECT 1;", nil); err != nil {
		return fmt.Errorf("project %s: a SQL job failed: %w", t.cfg.Project, err)
	}
	return nil
}
