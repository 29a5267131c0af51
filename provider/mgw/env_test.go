package mgw_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	emulator "github.com/ferry-dev/ferry/internal/emulator/mgw"
	ossemu "github.com/ferry-dev/ferry/internal/emulator/oss"
	"github.com/ferry-dev/ferry/internal/testserver"
	"github.com/ferry-dev/ferry/provider"
	"github.com/ferry-dev/ferry/provider/mgw"
	"github.com/ferry-dev/ferry/provider/oss"
	"github.com/ferry-dev/ferry/provider/s3"
)

const (
	testUID       = "1147000087600055"
	testRegion    = "cn-hangzhou"
	testAK        = "LTAI5tMgwTestKeyID"
	testSecret    = "mgw-test-secret-0123456789"
	testToken     = "mgw-sts-token-abcdefghij"
	testRole      = "ferry-mgw-writer"
	ossAK         = "LTAI5tOssTestKeyID"
	ossSecret     = "oss-test-secret-0123456789"
	stagingBucket = "staging"
	landingBucket = "landing"
	landingRoot   = "zone/"
	srcPrefix     = "lineitem/gen-1/data/"
	dstPrefix     = "tpch/lineitem/gen-1/data/"
	partSize      = 5 << 20
)

// env is an S3 server, an OSS emulator and a migration service emulator
// wired together, with ferry buckets on the first two.
type env struct {
	s3  *testserver.S3Server
	oss *ossemu.Server
	mgw *emulator.Server
	src *s3.Bucket
	dst *oss.Bucket
}

// setup starts the three servers; faults are the migration emulator's.
func setup(t *testing.T, faults *emulator.Faults) *env {
	t.Helper()
	e := &env{s3: testserver.Versitygw(t)}
	e.s3.CreateBucket(t, stagingBucket)
	e.oss = ossemu.Start(t, ossemu.Options{AccessKeyID: ossAK, AccessKeySecret: ossSecret, Region: testRegion})
	e.oss.CreateBucket(landingBucket)
	e.mgw = emulator.Start(t, emulator.Options{
		UserID: testUID, Region: testRegion, AccessKeyID: testAK, AccessKeySecret: testSecret, SecurityToken: testToken,
		OSS:   emulator.OSSTarget{Endpoint: e.oss.Endpoint(), AccessKeyID: ossAK, AccessKeySecret: ossSecret},
		Roles: []string{testRole}, PartSize: partSize, Workers: 3, Faults: faults,
	})
	ctx := context.Background()
	var err error
	e.src, err = s3.New(ctx, s3.Config{
		Bucket: stagingBucket, Prefix: "unload", Endpoint: e.s3.Endpoint, PathStyle: true,
		AccessKey: e.s3.AccessKey, SecretKey: e.s3.SecretKey, Region: e.s3.Region,
	})
	if err != nil {
		t.Fatal(err)
	}
	e.dst, err = oss.New(ctx, oss.Config{
		Bucket: landingBucket, Prefix: landingRoot, Endpoint: e.oss.Endpoint(), Region: testRegion,
		AccessKeyID: ossAK, AccessKeySecret: ossSecret,
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// config returns a Copier configuration for the environment that polls
// quickly.
func (e *env) config() mgw.Config {
	return mgw.Config{
		UserID: testUID, Region: testRegion, Endpoint: e.mgw.Endpoint(),
		AccessKeyID: testAK, AccessKeySecret: testSecret, SecurityToken: testToken,
		SourceAddress: mgw.S3Address{
			AccessKeyID: e.s3.AccessKey, AccessKeySecret: e.s3.SecretKey, Domain: e.s3.Endpoint, Region: e.s3.Region,
		},
		DestAddress:  mgw.OSSAddress{RegionID: "oss-" + testRegion, Role: testRole},
		JobPrefix:    "ferry-test",
		PollInterval: 20 * time.Millisecond,
		Timeout:      2 * time.Minute,
		MaxBandwidth: 100 << 20,
	}
}

// copier returns a Copier for cfg.
func copier(t *testing.T, cfg mgw.Config) *mgw.Copier {
	t.Helper()
	c, err := mgw.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// request is the CopyRequest every test makes.
func (e *env) request(progress func(provider.CopyProgress)) provider.CopyRequest {
	return provider.CopyRequest{Src: e.src, SrcPrefix: srcPrefix, Dst: e.dst, DstPrefix: dstPrefix, Progress: progress}
}

// randomBytes returns n reproducible pseudo-random bytes.
func randomBytes(seed uint64, n int) []byte {
	rng := rand.New(rand.NewPCG(seed, seed^0x5eed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

// seed writes the mixed object set under srcPrefix and returns the
// contents by key relative to srcPrefix.
func (e *env) seed(t *testing.T) map[string][]byte {
	t.Helper()
	want := map[string][]byte{
		"empty.parquet":                   {},
		"one-byte.bin":                    {0x2a},
		"with space.parquet":              randomBytes(1, 1000),
		"a+b=c.parquet":                   randomBytes(2, 2000),
		"100%.parquet":                    randomBytes(3, 3000),
		"ünïcødé/日本語 файл.parquet":        randomBytes(4, 4000),
		"large/0000_part_00.parquet":      randomBytes(5, partSize+partSize/2+123),
		"nested/deeper/0001_part.parquet": randomBytes(6, 17),
	}
	for i := range 24 {
		want[fmt.Sprintf("small/%04d_part_00.parquet", i)] = randomBytes(uint64(100+i), 50+i*97)
	}
	for key, data := range want {
		if _, err := e.src.Put(context.Background(), srcPrefix+key, bytes.NewReader(data), int64(len(data))); err != nil {
			t.Fatalf("seed %s: %v", key, err)
		}
	}
	return want
}

// assertLanded checks that every object arrived byte for byte.
func (e *env) assertLanded(t *testing.T, want map[string][]byte) {
	t.Helper()
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		got, ok := e.oss.Object(landingBucket, landingRoot+dstPrefix+key)
		if !ok {
			t.Errorf("%s: missing in OSS", key)
			continue
		}
		if !bytes.Equal(got, want[key]) {
			t.Errorf("%s: OSS holds %d bytes that differ from the source's %d", key, len(got), len(want[key]))
		}
	}
}
