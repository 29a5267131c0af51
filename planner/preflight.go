package planner

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/ferry-dev/ferry/config"
	"github.com/ferry-dev/ferry/planner/plan"
	"github.com/ferry-dev/ferry/provider"
)

// preflightDir is the folder, under a migration's prefix, where preflight
// writes its canaries; everything in it is deleted right after.
const preflightDir = ".ferry-preflight/"

// preflight checks, for every migration with work to do and before anything
// runs, that each system lets ferry do what the plan needs: the source can
// UNLOAD to the staging bucket (a canary of one row, deleted at once), ferry
// can write to and delete from the landing bucket, and the target accepts a
// SQL job (and whatever else it checks). Each failure is an error that
// says what to grant.
func preflight(ctx context.Context, cfg *config.Config, p *plan.Plan, provs Providers) hcl.Diagnostics {
	busy := map[string]bool{}
	for _, r := range p.Changes() {
		if r.Action != plan.Forget {
			busy[r.Migration] = true
		}
	}
	var diags hcl.Diagnostics
	fail := func(m *config.Migration, summary, detail string) {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Preflight: " + summary, Detail: detail, Subject: m.DeclRange.Ptr()})
	}
	checkedTarget := map[string]bool{}
	for _, m := range cfg.Migrations {
		if !busy[m.Name] {
			continue
		}
		staging, landing := m.Via[0], m.Via[len(m.Via)-1]
		if err := canaryUnload(ctx, cfg, m, provs, staging); err != nil {
			fail(m, fmt.Sprintf("%s cannot UNLOAD to %s", m.From, staging), fmt.Sprintf("%v.\n\nFix: %s", err, unloadFix(cfg, m.From, staging)))
		}
		if landing != staging {
			if err := probeWrite(ctx, cfg, m, provs, landing); err != nil {
				fail(m, fmt.Sprintf("cannot write to %s", landing), fmt.Sprintf("%v.\n\nFix: %s", err, writeFix(cfg.Buckets[landing])))
			}
		}
		if checkedTarget[m.To] {
			continue
		}
		checkedTarget[m.To] = true
		tgt, err := provs.Target(ctx, m.To)
		if err != nil {
			continue // reported by observe
		}
		if pf, ok := tgt.(provider.Preflighter); ok {
			if err := pf.Preflight(ctx); err != nil {
				fail(m, fmt.Sprintf("%s is not ready", m.To), fmt.Sprintf("%v.\n\nFix: %s", err, targetFix(cfg.Targets[m.To])))
			}
		}
	}
	return diags
}

// canaryUnload unloads one row to the staging bucket's preflight folder and
// deletes what it wrote.
func canaryUnload(ctx context.Context, cfg *config.Config, m *config.Migration, provs Providers, staging string) error {
	src, err := provs.Source(ctx, m.From)
	if err != nil {
		return err
	}
	b, err := provs.Bucket(ctx, staging)
	if err != nil {
		return err
	}
	dir := MigrationPrefix(cfg.Buckets[staging], m.Name) + preflightDir
	defer cleanPrefix(ctx, b, dir)
	cleanPrefix(ctx, b, dir)
	_, err = src.Unload(ctx, provider.UnloadRequest{
		Table: "preflight", Select: "SELECT 1 AS ferry_preflight",
		DataURL: b.URL(dir + "data/"), ManifestURL: b.URL(dir + "manifest"),
	})
	return err
}

// probeWrite writes and deletes one empty object in the bucket's
// preflight folder.
func probeWrite(ctx context.Context, cfg *config.Config, m *config.Migration, provs Providers, bucket string) error {
	b, err := provs.Bucket(ctx, bucket)
	if err != nil {
		return err
	}
	key := MigrationPrefix(cfg.Buckets[bucket], m.Name) + preflightDir + "probe"
	if _, err := b.Put(ctx, key, bytes.NewReader(nil), 0); err != nil {
		return err
	}
	return b.Delete(ctx, []string{key})
}

func cleanPrefix(ctx context.Context, b provider.Bucket, prefix string) {
	objs, err := b.List(ctx, prefix)
	if err != nil || len(objs) == 0 {
		return
	}
	keys := make([]string, 0, len(objs))
	for _, o := range objs {
		if strings.HasPrefix(o.Key, prefix) {
			keys = append(keys, o.Key)
		}
	}
	_ = b.Delete(ctx, keys)
}

func unloadFix(cfg *config.Config, source, staging string) string {
	s, b := cfg.Sources[source], cfg.Buckets[staging]
	if s == nil || s.Kind != "redshift" || b == nil {
		return "make the staging location writable for the source."
	}
	return fmt.Sprintf("the cluster's UNLOAD role (unload_role = %q) needs s3:PutObject, s3:GetObject, s3:ListBucket and s3:DeleteObject on arn:aws:s3:::%s/%s*, and must be associated with the cluster (IAM role for UNLOAD in the runbook); the database user needs SELECT on the tables.",
		s.String("unload_role", ""), b.String("bucket", ""), b.String("prefix", ""))
}

func writeFix(b *config.Provider) string {
	switch b.Kind {
	case "oss":
		return fmt.Sprintf("grant oss:PutObject, oss:GetObject, oss:DeleteObject and oss:ListObjects on %s/%s* to the RAM user or role ferry runs as.", b.String("bucket", ""), b.String("prefix", ""))
	case "s3":
		return fmt.Sprintf("grant s3:PutObject, s3:GetObject, s3:DeleteObject and s3:ListBucket on arn:aws:s3:::%s/%s* to the AWS credentials ferry runs with.", b.String("bucket", ""), b.String("prefix", ""))
	}
	return "make the directory writable."
}

func targetFix(t *config.Provider) string {
	if t == nil || t.Kind != "maxcompute" {
		return "check the target's settings."
	}
	return fmt.Sprintf("the AccessKey needs CreateInstance, CreateTable, Describe, Select, Alter and Drop in project %s, and load_role_arn must name a RAM role that trusts MaxCompute and can read the OSS landing bucket (AliyunODPSDefaultRole from the console's one-click authorization).", t.String("project", ""))
}
