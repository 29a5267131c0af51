package state

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
	"time"
)

// Record is one line of the audit history: one action ferry ran.
type Record struct {
	// Seq numbers records from 1 in the order they were appended.
	Seq          int64     `json:"seq"`
	PlanID       string    `json:"plan_id,omitempty"`
	Addr         string    `json:"addr"`
	Action       string    `json:"action"`
	Operator     string    `json:"operator,omitempty"`
	FerryVersion string    `json:"ferry_version,omitempty"`
	Start        time.Time `json:"start"`
	DurationMS   int64     `json:"duration_ms"`
	Bytes        int64     `json:"bytes,omitempty"`
	Rows         int64     `json:"rows,omitempty"`
	// Result is how the action ended, e.g. "done" or "tainted".
	Result    string          `json:"result"`
	Error     string          `json:"error,omitempty"`
	Statement string          `json:"statement,omitempty"`
	Details   json.RawMessage `json:"details,omitempty"`
	// Prev is the previous record's Hash, "" for the first record, so that
	// removing or reordering a record breaks the chain.
	Prev string `json:"prev"`
	// Hash is the hex SHA-256 of this record's JSON encoding with Hash
	// empty.
	Hash string `json:"hash"`
}

// hashRecord computes what rec.Hash should be.
func hashRecord(rec Record) (string, error) {
	rec.Hash = ""
	data, err := json.Marshal(rec)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]), nil
}

// History appends to the audit log. It is safe for concurrent use within
// one process; across processes the state lock keeps a single writer.
type History struct {
	path string

	mu       sync.Mutex
	file     *os.File
	lastSeq  int64
	lastHash string
}

// OpenHistory opens the history at path for appending, creating it with
// mode 0600 if missing. It reads the existing records to continue the
// sequence and the chain, and fails if they cannot be parsed.
func OpenHistory(path string) (*History, error) {
	recs, err := ReadHistory(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, fileMode)
	if err != nil {
		return nil, fmt.Errorf("open history: %w", err)
	}
	h := &History{path: path, file: f}
	if n := len(recs); n > 0 {
		h.lastSeq = recs[n-1].Seq
		h.lastHash = recs[n-1].Hash
	}
	return h, nil
}

// Append sets rec's Seq, Prev and Hash, writes it as one line and syncs
// the file before returning, so an action is never reported done without
// its audit record on disk.
func (h *History) Append(rec Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.file == nil {
		return errors.New("append history: history is closed")
	}
	rec.Seq = h.lastSeq + 1
	rec.Prev = h.lastHash
	sum, err := hashRecord(rec)
	if err != nil {
		return fmt.Errorf("append history: %w", err)
	}
	rec.Hash = sum
	line, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("append history: %w", err)
	}
	if _, err := h.file.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("append history: %w", err)
	}
	if err := h.file.Sync(); err != nil {
		return fmt.Errorf("append history: %w", err)
	}
	h.lastSeq, h.lastHash = rec.Seq, rec.Hash
	return nil
}

// Close closes the history file. Appending after Close is an error.
func (h *History) Close() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.file == nil {
		return nil
	}
	err := h.file.Close()
	h.file = nil
	return err
}

// ReadHistory returns every record at path in file order. It does not
// check the chain; see VerifyChain. A missing file returns an error that
// matches fs.ErrNotExist.
func ReadHistory(path string) ([]Record, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read history: %w", err)
	}
	var recs []Record
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 64<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Bytes()
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var rec Record
		if err := json.Unmarshal(line, &rec); err != nil {
			return nil, fmt.Errorf("read history %s line %d: %w", path, n, err)
		}
		recs = append(recs, rec)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read history %s: %w", path, err)
	}
	return recs, nil
}

// TamperError reports the first record that does not fit the chain.
type TamperError struct {
	// Seq is the position (from 1) of the first bad record.
	Seq int64
	// Reason says which check failed.
	Reason string
}

// Error returns "history tampered at record N"; Reason is kept separate so
// the message stays stable.
func (e *TamperError) Error() string {
	return fmt.Sprintf("history tampered at record %d", e.Seq)
}

// VerifyChain checks that records are numbered 1, 2, 3..., that each
// record's Hash matches its content and that each Prev is the previous
// record's Hash. It returns a *TamperError for the first record that fails.
// Records removed from the end cannot be detected from the file alone.
func VerifyChain(records []Record) error {
	prev := ""
	for i, rec := range records {
		pos := int64(i + 1)
		if rec.Seq != pos {
			return &TamperError{Seq: pos, Reason: fmt.Sprintf("seq is %d", rec.Seq)}
		}
		if rec.Prev != prev {
			return &TamperError{Seq: pos, Reason: "prev does not match the previous record's hash"}
		}
		sum, err := hashRecord(rec)
		if err != nil {
			return fmt.Errorf("verify history record %d: %w", pos, err)
		}
		if sum != rec.Hash {
			return &TamperError{Seq: pos, Reason: "hash does not match the record"}
		}
		prev = rec.Hash
	}
	return nil
}
