package redshift

import (
	"errors"
	"testing"
)

func TestParseUnload(t *testing.T) {
	u, err := ParseUnload(`UNLOAD ('SELECT * FROM "public"."t" WHERE flag = ''R'' AND s = ''it''''s''')
		TO 's3://bkt/run/1/data/' IAM_ROLE 'arn:aws:iam::123:role/r'
		FORMAT AS PARQUET MANIFEST VERBOSE MAXFILESIZE 1 GB ALLOWOVERWRITE PARALLEL OFF;`)
	if err != nil {
		t.Fatal(err)
	}
	if want := `SELECT * FROM "public"."t" WHERE flag = 'R' AND s = 'it''s'`; u.Select != want {
		t.Errorf("Select = %q, want %q", u.Select, want)
	}
	if u.Bucket != "bkt" || u.Prefix != "run/1/data/" || u.Auth != "IAM_ROLE" || u.Format != "PARQUET" ||
		!u.Manifest || !u.Verbose || u.MaxFileSize != 1024 || !u.AllowOverwrite || u.Parallel {
		t.Errorf("parsed %+v", u)
	}
}

func TestParseUnloadRejects(t *testing.T) {
	const to = ` TO 's3://b/p/' `
	tests := []struct {
		name, sql, code string
	}{
		{"no auth", `UNLOAD ('SELECT 1')` + to + `FORMAT PARQUET`, "28000"},
		{"two auths", `UNLOAD ('SELECT 1')` + to + `IAM_ROLE default ACCESS_KEY_ID 'a' SECRET_ACCESS_KEY 's' PARQUET`, "42601"},
		{"key without secret", `UNLOAD ('SELECT 1')` + to + `ACCESS_KEY_ID 'a' PARQUET`, "42601"},
		{"outer limit", `UNLOAD ('SELECT a FROM t ORDER BY a LIMIT 10')` + to + `IAM_ROLE default PARQUET`, "0A000"},
		{"header with parquet", `UNLOAD ('SELECT 1')` + to + `IAM_ROLE default FORMAT PARQUET HEADER`, "0A000"},
		{"delimiter with parquet", `UNLOAD ('SELECT 1')` + to + `IAM_ROLE default PARQUET DELIMITER AS '|'`, "0A000"},
		{"gzip with parquet", `UNLOAD ('SELECT 1')` + to + `IAM_ROLE default PARQUET GZIP`, "0A000"},
		{"overwrite and cleanpath", `UNLOAD ('SELECT 1')` + to + `IAM_ROLE default PARQUET ALLOWOVERWRITE CLEANPATH`, "22023"},
		{"file too small", `UNLOAD ('SELECT 1')` + to + `IAM_ROLE default PARQUET MAXFILESIZE 4 MB`, "22023"},
		{"file too big", `UNLOAD ('SELECT 1')` + to + `IAM_ROLE default PARQUET MAXFILESIZE 7 GB`, "22023"},
		{"not s3", `UNLOAD ('SELECT 1') TO 'oss://b/p/' IAM_ROLE default PARQUET`, "22023"},
		{"unquoted query", `UNLOAD (SELECT 1)` + to + `IAM_ROLE default PARQUET`, "42601"},
		{"csv", `UNLOAD ('SELECT 1')` + to + `IAM_ROLE default CSV`, "0A000"},
		{"unknown option", `UNLOAD ('SELECT 1')` + to + `IAM_ROLE default PARQUET SHINY`, "42601"},
		{"unterminated", `UNLOAD ('SELECT ''x)` + to, "42601"},
		{"partition by a literal", `UNLOAD ('SELECT 1')` + to + `IAM_ROLE default PARQUET PARTITION BY ('x')`, "0A000"},
		{"partition without by", `UNLOAD ('SELECT 1')` + to + `IAM_ROLE default PARQUET PARTITION (a)`, "42601"},
		{"partition by twice", `UNLOAD ('SELECT 1')` + to + `IAM_ROLE default PARQUET PARTITION BY (a) PARTITION BY (b)`, "42601"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseUnload(tt.sql)
			var se *sqlError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want a SQL error %s", err, tt.code)
			}
			if se.Code != tt.code {
				t.Errorf("code %s (%s), want %s", se.Code, se.Message, tt.code)
			}
		})
	}
}

func TestParseUnloadPartitionBy(t *testing.T) {
	u, err := ParseUnload(`UNLOAD ('SELECT a, b, c FROM t') TO 's3://b/p' IAM_ROLE default PARQUET PARTITION BY (A, "b") INCLUDE MANIFEST`)
	if err != nil {
		t.Fatal(err)
	}
	if len(u.PartitionBy) != 2 || u.PartitionBy[0] != "a" || u.PartitionBy[1] != "b" || !u.Include || !u.Manifest {
		t.Errorf("parsed %+v", u)
	}
}

func TestParseUnloadAcceptsLimitInSubquery(t *testing.T) {
	_, err := ParseUnload(`unload ('select * from t where id in (select id from t order by id limit 10)') to 's3://b/x_' ` +
		`access_key_id 'AK' secret_access_key 'SK' session_token 'ST' format parquet manifest cleanpath maxfilesize as 100 mb`)
	if err != nil {
		t.Fatal(err)
	}
}

func TestLexBackslash(t *testing.T) {
	toks, err := lex(`'a\\b\'c''d'`)
	if err != nil {
		t.Fatal(err)
	}
	if len(toks) != 1 || toks[0].text != `a\b'c'd` {
		t.Fatalf("tokens %+v", toks)
	}
}
