package redshift

import (
	"bytes"
	"context"
	"log"
	"log/slog"
	"os"
	"strings"
	"testing"

	emulator "github.com/ferry-dev/ferry/internal/emulator/redshift"
	"github.com/ferry-dev/ferry/provider"
)

// TestSecretsNeverShown drives the failure and reporting paths with
// secrets in the configuration and the environment, and checks that no
// returned error, statement or log line contains any of them.
func TestSecretsNeverShown(t *testing.T) {
	var logs bytes.Buffer
	log.SetOutput(&logs)
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, nil)))
	t.Cleanup(func() {
		log.SetOutput(os.Stderr)
		slog.SetDefault(prev)
	})

	e := newEnv(t, emulator.Faults{})
	awsEnv(t)
	ctx := context.Background()
	const (
		keyID     = "AKIALEAKCHECK0042"
		secretKey = "leak/Check+Secret0042zz"
		token     = "leakSessionToken0042"
	)
	secrets := []string{testPassword, keyID, secretKey, token, testSecretKey, analystPassword}
	var shown []string
	note := func(err error) {
		if err != nil {
			shown = append(shown, err.Error())
		}
	}

	cfg := e.cfg
	cfg.UnloadRole, cfg.AccessKeyID, cfg.SecretAccessKey, cfg.SessionToken = "", keyID, secretKey, token
	s, err := New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	bad := provider.UnloadRequest{Table: "public.lineitem", Select: lineitemSelect,
		DataURL: "s3://no-such-bucket/x/data/", ManifestURL: "s3://no-such-bucket/x/manifest"}
	_, err = s.Unload(ctx, bad)
	if err == nil {
		t.Fatal("unload into a missing bucket succeeded")
	}
	note(err)
	stmt, err := s.UnloadSQL(bad)
	note(err)
	shown = append(shown, stmt)
	res, err := s.UnloadDetailed(ctx, provider.UnloadRequest{Table: "public.lineitem", Select: lineitemSelect,
		DataURL: "s3://bkt/leak/data/", ManifestURL: "s3://bkt/leak/manifest"}, UnloadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	shown = append(shown, res.Statement)
	_, err = s.Query(ctx, "SELECT no_such_column FROM lineitem")
	note(err)

	wrong := cfg
	wrong.Password = "Wr0ng-" + testPassword
	secrets = append(secrets, wrong.Password)
	_, err = New(ctx, wrong)
	note(err)

	aws, url := newFakeAWS(t, e.front)
	iam := cfg
	iam.IAM, iam.Region, iam.AWSEndpoint, iam.ClusterIdentifier, iam.DBUser = true, "us-east-1", url, "c1", "awsuser"
	si, err := New(ctx, iam)
	if err != nil {
		t.Fatal(err)
	}
	_, err = si.Query(ctx, "SELECT 1/0")
	note(err)
	si.Close()
	iam.ClusterIdentifier = "other"
	_, err = New(ctx, iam)
	note(err)

	_, apiCfg := e.dataAPI(t, emulator.DataAPIOptions{})
	apiCfg.AccessKeyID, apiCfg.SecretAccessKey, apiCfg.SessionToken, apiCfg.UnloadRole = keyID, secretKey, token, ""
	ds := e.dataSource(t, apiCfg)
	_, err = ds.Unload(ctx, bad)
	note(err)
	_, err = ds.Query(ctx, "SELECT no_such_column FROM lineitem")
	note(err)
	stmt, err = ds.UnloadSQL(bad)
	note(err)
	shown = append(shown, stmt)

	_, issued := aws.snapshot()
	secrets = append(secrets, issued...)
	shown = append(shown, strings.Split(logs.String(), "\n")...)
	if len(shown) < 10 {
		t.Fatalf("only %d outputs collected", len(shown))
	}
	for _, out := range shown {
		for _, secret := range secrets {
			if secret != "" && strings.Contains(out, secret) {
				t.Errorf("output shows a secret: %s", out)
			}
		}
	}
}
