package planner

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"sync"

	"github.com/ferry-dev/ferry/planner/plan"
)

// hashOf hashes a kind and any JSON-encodable parts.
func hashOf(kind string, parts ...any) string {
	h := sha256.New()
	io.WriteString(h, kind)
	buf := hashBufs.Get().(*bytes.Buffer)
	defer hashBufs.Put(buf)
	for _, p := range parts {
		// json.Marshal's bytes, without the copy Marshal returns: a plan
		// of 10,000 tables hashes 50,000 specs, and those copies were a
		// tenth of everything it allocated. Encode writes exactly what
		// Marshal returns, then a newline.
		buf.Reset()
		if err := json.NewEncoder(buf).Encode(p); err != nil {
			panic(fmt.Sprintf("planner: fingerprint of %T: %v", p, err))
		}
		h.Write([]byte{0})
		h.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
	}
	var sum [sha256.Size]byte
	return hex.EncodeToString(h.Sum(sum[:0])[:16])
}

// hashBufs holds hashOf's encoding buffers.
var hashBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

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
