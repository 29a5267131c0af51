package maxcompute

import (
	"fmt"
	"strings"
)

// functions are MaxCompute functions whose DuckDB namesake behaves
// differently, or which DuckDB lacks, as macros created in each session
// next to builtins:
//
//   - CONCAT(a, b, …) returns NULL when any argument is NULL, as
//     MaxCompute documents, where DuckDB's concat skips NULLs. DuckDB
//     macros are not variadic, so one overload per arity is defined, up
//     to maxConcatArgs arguments; a longer call fails in the emulator.
//   - CONV(x, from_base, to_base) converts an unsigned 64-bit number
//     between bases 2, 10 and 16 (hexadecimal output in upper case); an
//     invalid digit string gives NULL, as on the service, and base 8,
//     which the service also takes, fails in the emulator.
var functions = concatMacro(maxConcatArgs) + ";\n" + convValueMacro + ";\n" + convMacro

// maxConcatArgs is the longest CONCAT the emulator runs. Verification
// fingerprints concatenate two parts per column, so 64 covers tables of
// 32 columns; each overload costs session setup time.
const maxConcatArgs = 64

// concatMacro defines CONCAT for 1 to n arguments with ||, which yields
// NULL when any operand is NULL. Arguments of other types are cast to
// VARCHAR, as MaxCompute converts them to STRING.
func concatMacro(n int) string {
	var overloads []string
	for k := 1; k <= n; k++ {
		params := make([]string, k)
		casts := make([]string, k)
		for i := range params {
			params[i] = fmt.Sprintf("a%d", i)
			casts[i] = fmt.Sprintf("CAST(a%d AS VARCHAR)", i)
		}
		overloads = append(overloads, "("+strings.Join(params, ", ")+") AS "+strings.Join(casts, " || "))
	}
	return "CREATE OR REPLACE TEMP MACRO concat" + strings.Join(overloads, ",\n  ")
}

// convValueMacro reads x, digits in base 2, 10 or 16, as a UBIGINT, or
// NULL when a digit is invalid.
const convValueMacro = `CREATE OR REPLACE TEMP MACRO conv_value(x, base) AS
CASE CAST(base AS INTEGER)
  WHEN 16 THEN TRY_CAST('0x' || CAST(x AS VARCHAR) AS UBIGINT)
  WHEN 2 THEN TRY_CAST('0b' || CAST(x AS VARCHAR) AS UBIGINT)
  ELSE TRY_CAST(CAST(x AS VARCHAR) AS UBIGINT)
END`

// convMacro is CONV for bases 2, 10 and 16. DuckDB reads "0x…" and
// "0b…" strings as numbers; TRY_CAST turns a bad digit into NULL.
const convMacro = `CREATE OR REPLACE TEMP MACRO conv(x, from_base, to_base) AS
CASE
  WHEN x IS NULL OR from_base IS NULL OR to_base IS NULL THEN NULL
  WHEN CAST(from_base AS INTEGER) NOT IN (2, 10, 16) OR CAST(to_base AS INTEGER) NOT IN (2, 10, 16)
    THEN error('CONV: the emulator converts between bases 2, 10 and 16 only')
  ELSE (CASE CAST(to_base AS INTEGER)
    WHEN 10 THEN CAST(conv_value(x, from_base) AS VARCHAR)
    WHEN 16 THEN upper(hex(conv_value(x, from_base)))
    ELSE bin(conv_value(x, from_base))
  END)
END`
