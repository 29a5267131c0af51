package typemap

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode"
)

// MaxIdentifierBytes is MaxCompute's limit for table and column names.
const MaxIdentifierBytes = 128

// TableName turns a Redshift table name (without its schema) into a
// MaxCompute one: lower case, at most 128 bytes, ASCII letters, digits and
// _ only, starting with a letter. Redshift allows more ($, multibyte
// letters, and anything when delimited), so the error tells the user to
// choose the name in the configuration rather than inventing one.
func TableName(name string) (string, error) {
	out := strings.ToLower(name)
	fix := `set name = "..." in the table block`
	if !validTableName(out) {
		return "", fmt.Errorf("table name %q: MaxCompute table names may contain only letters, digits and _ and must start with a letter; %s", name, fix)
	}
	if len(out) > MaxIdentifierBytes {
		return "", fmt.Errorf("table name %q: MaxCompute table names are at most %d bytes, this one is %d; %s", name, MaxIdentifierBytes, len(out), fix)
	}
	return out, nil
}

func validTableName(s string) bool {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if c != '_' && (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// ColumnName turns a Redshift column name into a MaxCompute one: lower
// case, at most 128 bytes, ASCII letters, digits, _ and Chinese characters.
// A leading digit or _ is allowed, as MaxCompute only recommends a letter
// first; generated SQL backtick-quotes every name anyway.
func ColumnName(name string) (string, error) {
	out := strings.ToLower(name)
	fix := `set rename = "..." in a column block`
	if !validColumnName(out) {
		return "", fmt.Errorf("column name %q: MaxCompute column names may contain only letters, digits, _ and Chinese characters; %s", name, fix)
	}
	if len(out) > MaxIdentifierBytes {
		return "", fmt.Errorf("column name %q: MaxCompute column names are at most %d bytes, this one is %d; %s", name, MaxIdentifierBytes, len(out), fix)
	}
	return out, nil
}

func validColumnName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		ok := r == '_' || (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || unicode.Is(unicode.Han, r)
		if !ok {
			return false
		}
	}
	return true
}

// Quote backtick-quotes an identifier for MaxCompute SQL, doubling any
// backtick inside it. Quoting every name makes the reserved-word list moot.
func Quote(ident string) string {
	return "`" + strings.ReplaceAll(ident, "`", "``") + "`"
}

// DetectCollisions reports every MaxCompute table name produced by more
// than one source table. Each pair is (source, converted), for example
// ("sales.Orders", "orders"). Repeating a pair is not a collision. The
// error joins one line per colliding name, sorted by that name.
func DetectCollisions(pairs [][2]string) error {
	return collisions(pairs, "tables", "", "table block")
}

// DetectColumnCollisions is DetectCollisions for the columns of one table,
// which collide when Redshift runs with enable_case_sensitive_identifier
// and two columns differ only in case.
func DetectColumnCollisions(table string, pairs [][2]string) error {
	return collisions(pairs, "columns", fmt.Sprintf(" of table %q", table), "column block")
}

func collisions(pairs [][2]string, kind, where, block string) error {
	sources := map[string][]string{}
	for _, p := range pairs {
		src, dst := p[0], p[1]
		if !contains(sources[dst], src) {
			sources[dst] = append(sources[dst], src)
		}
	}
	names := make([]string, 0, len(sources))
	for dst, srcs := range sources {
		if len(srcs) > 1 {
			names = append(names, dst)
		}
	}
	sort.Strings(names)
	var errs []error
	for _, dst := range names {
		srcs := append([]string(nil), sources[dst]...)
		sort.Strings(srcs)
		quoted := make([]string, len(srcs))
		for i, s := range srcs {
			quoted[i] = fmt.Sprintf("%q", s)
		}
		list := strings.Join(quoted[:len(quoted)-1], ", ") + " and " + quoted[len(quoted)-1]
		if len(srcs) == 2 {
			errs = append(errs, fmt.Errorf("%s %s%s both become %q; rename one with a %s", kind, list, where, dst, block))
		} else {
			errs = append(errs, fmt.Errorf("%s %s%s all become %q; rename all but one with a %s", kind, list, where, dst, block))
		}
	}
	return errors.Join(errs...)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// IsReserved reports whether word is a MaxCompute reserved word, in any
// case. Generated SQL quotes every identifier, so this serves warnings and
// the checks of hand-written names, not quoting decisions.
func IsReserved(word string) bool {
	_, ok := reservedWords[strings.ToUpper(word)]
	return ok
}

// reservedWords is the list of MaxCompute's reserved-word page, operators
// included.
var reservedWords = func() map[string]struct{} {
	const list = `% & && ( ) * + - . / ; < <= <> = > >= ?
ADD AFTER ALL ALTER ANALYZE AND ARCHIVE ARRAY AS ASC BEFORE BETWEEN BIGINT
BINARY BLOB BOOLEAN BOTH DECIMAL BUCKET BUCKETS BY CASCADE CASE CAST CFILE
CHANGE CLUSTER CLUSTERED CLUSTERSTATUS COLLECTION COLUMN COLUMNS COMMENT
COMPUTE CONCATENATE CONTINUE CREATE CROSS CURRENT CURSOR DATA DATABASE
DATABASES DATE DATETIME DBPROPERTIES DEFERRED DELETE DELIMITED DESC DESCRIBE
DIRECTORY DISABLE DISTINCT DISTRIBUTE DOUBLE DROP ELSE ENABLE END EXCEPT
ESCAPED EXCLUSIVE EXISTS EXPLAIN EXPORT EXTENDED EXTERNAL FALSE FETCH FIELDS
FILEFORMAT FIRST FLOAT FOLLOWING FORMAT FORMATTED FROM FULL FUNCTION FUNCTIONS
GRANT GROUP HAVING HOLD_DDLTIME IDXPROPERTIES IF IMPORT IN INDEX INDEXES
INPATH INPUTDRIVER INPUTFORMAT INSERT INT INTERSECT INTO IS ITEMS JOIN KEYS
LATERAL LEFT LIFECYCLE LIKE LIMIT LINES LOAD LOCAL LOCATION LOCK LOCKS LONG
MAP MAPJOIN MATERIALIZED MINUS MSCK NOT NO_DROP NULL OF OFFLINE OFFSET ON
OPTION OR ORDER OUT OUTER OUTPUTDRIVER OUTPUTFORMAT OVER OVERWRITE PARTITION
PARTITIONED PARTITIONPROPERTIES PARTITIONS PERCENT PLUS PRECEDING PRESERVE
PROCEDURE PURGE RANGE RCFILE READ READONLY READS REBUILD RECORDREADER
RECORDWRITER REDUCE REGEXP RENAME REPAIR REPLACE RESTRICT REVOKE RIGHT RLIKE
ROW ROWS SCHEMA SCHEMAS SELECT SEMI SEQUENCEFILE SERDE SERDEPROPERTIES SET
SHARED SHOW SHOW_DATABASE SMALLINT SORT SORTED SSL STATISTICS STORED
STREAMTABLE STRING STRUCT TABLE TABLES TABLESAMPLE TBLPROPERTIES TEMPORARY
TERMINATED TEXTFILE THEN TIMESTAMP TINYINT TO TOUCH TRANSFORM TRIGGER TRUE
TYPE UNARCHIVE UNBOUNDED UNDO UNION UNIONTYPE UNIQUEJOIN UNLOCK UNSIGNED
UPDATE USE USING UTC UTC_TMESTAMP VIEW WHEN WHERE WHILE DIV`
	m := map[string]struct{}{}
	for _, w := range strings.Fields(list) {
		m[w] = struct{}{}
	}
	return m
}()
