package planner

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/ferry-dev/ferry/planner/plan"
)

// hashOf hashes a kind and any JSON-encodable parts.
func hashOf(kind string, parts ...any) string {
	h := sha256.New()
	h.Write([]byte(kind))
	for _, p := range parts {
		b, err := json.Marshal(p)
		if err != nil {
			panic(fmt.Sprintf("planner: fingerprint of %T: %v", p, err))
		}
		h.Write([]byte{0})
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// fingerprint sets the fingerprints of one table's resources (in
// unload, copy, table, load, verify order). Each covers the resource's
// configuration and its dependencies' fingerprints, never observed facts:
// drift is detected separately, so its reason can be told apart.
func fingerprint(rs []*plan.Resource) {
	unload, cp, table, load, verify := rs[0], rs[1], rs[2], rs[3], rs[4]
	u := *unload.Unload
	u.Rows, u.Bytes, u.Version, u.Columns = 0, 0, "", nil
	unload.Fingerprint = hashOf("unload", u)
	c := *cp.Copy
	c.Bytes = 0
	cp.Fingerprint = hashOf("copy", unload.Fingerprint, c)
	table.Fingerprint = hashOf("table", table.Table)
	l := *load.Load
	l.Rows = 0
	load.Fingerprint = hashOf("load", cp.Fingerprint, table.Fingerprint, l)
	verify.Fingerprint = hashOf("verify", load.Fingerprint, verify.Verify)
}
