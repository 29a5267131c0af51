package remote

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/ferry-dev/ferry/state"
)

// historyAttempts bounds how often Append starts over after another
// writer appended between its read and its write.
const historyAttempts = 20

// HistoryKey returns the key of the audit history object,
// "<key>.history.jsonl".
func (b *objectBackend) HistoryKey() string { return b.key + historySuffix }

// OpenHistory returns a writer that appends records to the history
// object. It reads the history once and fails if it cannot be parsed, as
// state.OpenHistory does; a missing history is created by the first
// Append.
func (b *objectBackend) OpenHistory() (state.HistoryWriter, error) {
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	if _, _, err := b.readHistory(ctx); err != nil && !errors.Is(err, errNotFound) {
		return nil, err
	}
	return &historyWriter{b: b}, nil
}

// ReadHistory returns every record of the history object in order; a
// missing history is (nil, nil). It does not check the chain; see
// state.VerifyChain.
func (b *objectBackend) ReadHistory() ([]state.Record, error) {
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	recs, _, err := b.readHistory(ctx)
	if errors.Is(err, errNotFound) {
		return nil, nil
	}
	return recs, err
}

// readHistory gets and parses the history object, returning its records
// and ETag.
func (b *objectBackend) readHistory(ctx context.Context) ([]state.Record, string, error) {
	data, etag, err := b.store.get(ctx, b.HistoryKey())
	if err != nil {
		if errors.Is(err, errNotFound) {
			return nil, "", err
		}
		return nil, "", fmt.Errorf("read history: %w", err)
	}
	recs, err := parseHistory(data)
	if err != nil {
		return nil, "", fmt.Errorf("read history %s: %w", b.store.url(b.HistoryKey()), err)
	}
	return recs, etag, nil
}

// parseHistory decodes JSON lines, skipping blank ones, as
// state.ReadHistory does.
func parseHistory(data []byte) ([]state.Record, error) {
	var recs []state.Record
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 64<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Bytes()
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var rec state.Record
		if err := json.Unmarshal(line, &rec); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		recs = append(recs, rec)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return recs, nil
}

// hashRecord computes rec.Hash the way state.VerifyChain checks it: the
// hex SHA-256 of the record's JSON encoding with Hash empty.
func hashRecord(rec state.Record) (string, error) {
	rec.Hash = ""
	data, err := json.Marshal(rec)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]), nil
}

// historyWriter appends to the history object. Objects cannot be
// appended to, so each Append reads the whole object, adds a line and
// writes it back on the condition that nobody wrote in between, starting
// over when somebody did.
type historyWriter struct {
	b *objectBackend

	mu     sync.Mutex
	closed bool
}

// Append sets rec's Seq, Prev and Hash to continue the chain stored in
// the object, and writes the object back with the record as its last
// line before returning. It retries when another writer appended first
// (on OSS only writes that finished before its check are seen; see the
// package documentation).
func (h *historyWriter) Append(rec state.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return errors.New("append history: history is closed")
	}
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	delay := 10 * time.Millisecond
	for range historyAttempts {
		err := h.append(ctx, rec)
		if !errors.Is(err, errPrecondition) {
			return err
		}
		t := time.NewTimer(delay/2 + rand.N(delay/2+1))
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("append history: %w", ctx.Err())
		case <-t.C:
		}
		delay = min(delay*2, time.Second)
	}
	return fmt.Errorf("append history %s: other writers kept appending; gave up after %d attempts",
		h.b.store.url(h.b.HistoryKey()), historyAttempts)
}

// append makes one read-modify-write attempt.
func (h *historyWriter) append(ctx context.Context, rec state.Record) error {
	b := h.b
	data, etag, err := b.store.get(ctx, b.HistoryKey())
	if err != nil && !errors.Is(err, errNotFound) {
		return fmt.Errorf("append history: %w", err)
	}
	recs, err := parseHistory(data)
	if err != nil {
		return fmt.Errorf("append history %s: %w", b.store.url(b.HistoryKey()), err)
	}
	rec.Seq, rec.Prev = 1, ""
	if n := len(recs); n > 0 {
		rec.Seq, rec.Prev = recs[n-1].Seq+1, recs[n-1].Hash
	}
	if rec.Hash, err = hashRecord(rec); err != nil {
		return fmt.Errorf("append history: %w", err)
	}
	line, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("append history: %w", err)
	}
	if len(data) > 0 && data[len(data)-1] != '\n' {
		data = append(data, '\n')
	}
	out := append(append(data[:len(data):len(data)], line...), '\n')
	cond := condition{absent: etag == "", etag: etag}
	if _, err := b.store.put(ctx, b.HistoryKey(), out, cond); err != nil {
		if !errors.Is(err, errPrecondition) {
			return fmt.Errorf("append history: %w", err)
		}
		// A retried request whose first attempt succeeded is refused by
		// its own write: the object then ends with exactly our line.
		if now, _, gerr := b.store.get(ctx, b.HistoryKey()); gerr == nil && bytes.Equal(now, out) {
			return nil
		}
		return err
	}
	return nil
}

// Close ends appending; Append after Close is an error.
func (h *historyWriter) Close() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	return nil
}
