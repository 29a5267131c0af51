package planner

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"sync"

	"github.com/ferry-dev/ferry/planner/plan"
)

// hashOf hashes a kind and any JSON-encodable parts.
func hashOf(kind string, parts ...any) string {
	s := hashScratch.Get().(*hashState)
	defer hashScratch.Put(s)
	s.h.Reset()
	io.WriteString(s.h, kind)
	for _, p := range parts {
		// json.Marshal's bytes, without the copy Marshal returns: a plan
		// of 10,000 tables hashes 50,000 specs, and those copies were a
		// tenth of everything it allocated. Encode writes exactly what
		// Marshal returns, then a newline.
		s.buf.Reset()
		if err := s.enc.Encode(p); err != nil {
			panic(fmt.Sprintf("planner: fingerprint of %T: %v", p, err))
		}
		s.h.Write([]byte{0})
		s.h.Write(bytes.TrimSuffix(s.buf.Bytes(), []byte("\n")))
	}
	var sum [sha256.Size]byte
	return hex.EncodeToString(s.h.Sum(sum[:0])[:16])
}

// hashState is hashOf's reusable hash and encoding buffer.
type hashState struct {
	h   hash.Hash
	buf bytes.Buffer
	enc *json.Encoder
}

var hashScratch = sync.Pool{New: func() any {
	s := &hashState{h: sha256.New()}
	s.enc = json.NewEncoder(&s.buf)
	return s
}}

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
