package maxcompute

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/aliyun-odps-go-sdk/odps/restclient"
	pkgerrors "github.com/pkg/errors"

	mcemu "github.com/ferry-dev/ferry/internal/emulator/maxcompute"
	"github.com/ferry-dev/ferry/provider"
)

func TestIsRetryable(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"500", pkgerrors.WithStack(restclient.HttpError{StatusCode: 500}), true},
		{"503 wrapped", fmt.Errorf("submit: %w", pkgerrors.WithStack(restclient.HttpError{StatusCode: 503})), true},
		{"429", restclient.HttpError{StatusCode: 429}, true},
		{"403", pkgerrors.WithStack(restclient.HttpError{StatusCode: 403}), false},
		{"404", restclient.HttpError{StatusCode: 404}, false},
		{"net", &net.OpError{Op: "dial", Err: errors.New("refused")}, true},
		{"canceled", context.Canceled, false},
		{"task failure", &Error{Code: "ODPS-0010000", Message: "ODPS-0010000:System internal error"}, false},
		{"message text only", errors.New("503 Service Unavailable"), false},
		{"nil", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := IsRetryable(tc.err); got != tc.want {
				t.Errorf("IsRetryable(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}

func TestBadSecretIs403(t *testing.T) {
	f := newFixture(t, mcemu.Options{}, func(c *Config) { c.AccessKeySecret = "wrong-secret" })
	_, err := f.tg.Tables(context.Background())
	var he restclient.HttpError
	if !errors.As(err, &he) || he.StatusCode != 403 || he.ErrorMessage == nil || he.ErrorMessage.ErrorCode != "InvalidSignature" {
		t.Fatalf("Tables with a bad secret: %v", err)
	}
	if IsRetryable(err) || strings.Contains(err.Error(), "wrong-secret") {
		t.Fatalf("error is retryable or shows the secret: %v", err)
	}
}

func TestV4AndSTS(t *testing.T) {
	f := newFixture(t, mcemu.Options{Region: "cn-hangzhou", SecurityToken: "tok"}, func(c *Config) {
		c.Region, c.SecurityToken = "cn-hangzhou", "tok"
	})
	if got := scalar(t, f.tg, "SELECT 1 AS one"); got != "1" {
		t.Fatalf("select 1 = %s", got)
	}
}

func TestQueryNullAndEmptyString(t *testing.T) {
	f := newFixture(t, mcemu.Options{}, nil)
	f.sdk(t, "CREATE TABLE `s` (`id` BIGINT, `v` STRING); INSERT INTO TABLE `s` VALUES (1, 'a'), (2, ''), (3, NULL);", nil)
	res, err := f.tg.Query(context.Background(), "SELECT `id`, `v` FROM `s` ORDER BY `id`")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 3 || strings.Join(res.Columns, ",") != "id,v" {
		t.Fatalf("result = %+v", res)
	}
	if v := res.Rows[0][1]; v == nil || *v != "a" {
		t.Errorf("row 1 = %v", v)
	}
	if v := res.Rows[1][1]; v == nil || *v != "" {
		t.Errorf("row 2 = %v, want the empty string", v)
	}
	if v := res.Rows[2][1]; v != nil {
		t.Errorf("row 3 = %q, want NULL", *v)
	}
}

func TestQueryTimeZone(t *testing.T) {
	f := newFixture(t, mcemu.Options{}, nil)
	f.sdk(t, "CREATE TABLE `ts` (`t` TIMESTAMP); INSERT INTO TABLE `ts` VALUES (TIMESTAMP '2024-01-01 00:00:00');",
		map[string]string{HintTypeSystem2: "true"})
	if got := scalar(t, f.tg, "SELECT `t` FROM `ts`"); got != "2024-01-01 00:00:00" {
		t.Errorf("timestamp in UTC = %s", got)
	}
}

func TestFaultsAreRetried(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, mcemu.Options{FaultRate: 0.2, FaultSeed: 7}, nil)
	loc, file := f.stage(t, "lineitem/g1", lineitemQuery)
	if err := f.tg.CreateTable(ctx, lineitemSpec("lineitem")); err != nil {
		t.Fatal(err)
	}
	if _, err := f.tg.Load(ctx, provider.LoadRequest{Table: "lineitem", LocationURL: loc}); err != nil {
		t.Fatal(err)
	}
	want := fileScalar(t, file, "SELECT sum(l_extendedprice)::VARCHAR FROM f")
	if got := scalar(t, f.tg, "SELECT sum(`l_extendedprice`) FROM `lineitem`"); got != want {
		t.Errorf("sum = %s, want %s", got, want)
	}
	if f.srv.FaultsInjected() == 0 {
		t.Fatal("no faults were injected")
	}
	t.Logf("%d faults retried", f.srv.FaultsInjected())
}

func TestLocationAccessKeyRedacted(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, mcemu.Options{}, func(c *Config) { c.LoadRoleArn = "" })
	loc, _ := f.stage(t, "nums/g1", "SELECT i::BIGINT AS n FROM range(3) r(i)")
	loc = strings.Replace(loc, "oss://", "oss://LTAIossid:OssSecret123@", 1)
	spec := provider.TableSpec{Name: "nums", Columns: []provider.Column{{Name: "n", Type: "BIGINT", Nullable: true}}}
	if err := f.tg.CreateTable(ctx, spec); err != nil {
		t.Fatal(err)
	}
	res, err := f.tg.Load(ctx, provider.LoadRequest{Table: "nums", LocationURL: loc})
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != 3 || strings.Contains(strings.Join(res.Statements, "\n"), "OssSecret123") ||
		!strings.Contains(res.Statements[0], "oss://(sensitive)@") {
		t.Fatalf("statements = %q", res.Statements)
	}
	_, err = f.tg.Load(ctx, provider.LoadRequest{Table: "missing", LocationURL: loc})
	if err == nil || strings.Contains(err.Error(), "OssSecret123") || !errors.Is(err, provider.ErrNotFound) {
		t.Fatalf("error = %v", err)
	}
}

func TestSlowInstanceLogsLogviewAndTimesOut(t *testing.T) {
	var logs []string
	f := newFixture(t, mcemu.Options{TaskDelay: 300 * time.Millisecond}, func(c *Config) {
		c.Logf = func(format string, args ...any) { logs = append(logs, fmt.Sprintf(format, args...)) }
	})
	f.tg.logviewAfter = 50 * time.Millisecond
	if got := scalar(t, f.tg, "SELECT 2 AS two"); got != "2" {
		t.Fatalf("select = %s", got)
	}
	if len(logs) != 1 || !strings.Contains(logs[0], "job-insights") || !strings.Contains(logs[0], "i=") {
		t.Fatalf("logs = %q", logs)
	}
	f.tg.cfg.InstanceTimeout = 100 * time.Millisecond
	_, err := f.tg.Query(context.Background(), "SELECT 3")
	if err == nil || !strings.Contains(err.Error(), "terminated") {
		t.Fatalf("timeout error = %v", err)
	}
}
