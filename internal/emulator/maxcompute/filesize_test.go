package maxcompute

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/aliyun/aliyun-odps-go-sdk/odps"
	"github.com/aliyun/aliyun-odps-go-sdk/odps/account"
)

// TestLoadRefusesFilesOverTheLimit: LOAD reads open-source-format files of
// at most 3 GB; a larger file fails the load with a message saying so
// (the limit is lowered here so a small file passes it).
func TestLoadRefusesFilesOverTheLimit(t *testing.T) {
	root := t.TempDir()
	s := Start(t, Options{AccessKeyID: "AKID", AccessKeySecret: "secret", Project: "proj",
		Locations: DirLocations{Root: root}, MaxFileBytes: 200})
	o := odps.NewOdps(account.NewAliyunAccount("AKID", "secret"), s.Endpoint)
	o.SetDefaultProjectName("proj")
	writeParquet(t, filepath.Join(root, "bkt", "big", "part-0.parquet"),
		"SELECT i::INTEGER AS id, repeat('x', 50) AS pad FROM range(100) r(i)")
	if _, err := run(t, o, "CREATE TABLE `big` (`id` INT, `pad` STRING);", odps2); err != nil {
		t.Fatal(err)
	}
	load := "LOAD OVERWRITE TABLE `big` FROM LOCATION 'oss://oss-cn-test-internal.aliyuncs.com/bkt/big/' " +
		"ROW FORMAT SERDE 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' " +
		"WITH SERDEPROPERTIES ('odps.properties.rolearn'='acs:ram::1:role/r') STORED AS PARQUET;"
	_, err := run(t, o, load, odps2)
	if err == nil || !strings.Contains(err.Error(), "part-0.parquet is larger than 200 bytes, the most LOAD reads from one open-source-format file") {
		t.Fatalf("load of an oversized file: %v", err)
	}
}
