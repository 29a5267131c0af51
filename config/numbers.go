package config

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// maxExponent bounds the decimal exponent of a number literal. HCL parses
// numbers as arbitrary-precision floats, and a literal such as 1e-99999999
// takes minutes and gigabytes to parse; no setting ferry has needs more
// than a few digits of exponent.
const maxExponent = 1000

// checkNumbers refuses, before the parser sees src, any number literal
// whose exponent is larger than maxExponent, naming where it is. It only
// lexes, so it costs little and never looks inside strings or comments.
func checkNumbers(src []byte, filename string, start hcl.Pos) hcl.Diagnostics {
	tokens, _ := hclsyntax.LexConfig(src, filename, start)
	var diags hcl.Diagnostics
	for _, t := range tokens {
		if t.Type != hclsyntax.TokenNumberLit {
			continue
		}
		lit := string(t.Bytes)
		i := strings.IndexAny(lit, "eE")
		if i < 0 {
			continue
		}
		exp := strings.TrimLeft(lit[i+1:], "+-")
		digits := strings.TrimLeft(exp, "0")
		if exp == "" || strings.Trim(exp, "0123456789") != "" {
			continue // not a well-formed exponent: the parser says so
		}
		if n, err := strconv.Atoi(digits); digits == "" || (err == nil && n <= maxExponent) {
			continue
		}
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Number out of range",
			Detail:   fmt.Sprintf("The number %s has an exponent larger than %d; write it with a smaller exponent.", abbreviate(lit), maxExponent),
			Subject:  t.Range.Ptr(),
		})
	}
	return diags
}

// abbreviate shortens a long literal for a message.
func abbreviate(s string) string {
	if len(s) > 40 {
		return s[:37] + "..."
	}
	return s
}
