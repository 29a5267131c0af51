package oss_test

import (
	"bytes"
	"net/http"
	"testing"

	sdk "github.com/aliyun/aliyun-oss-go-sdk/oss"

	emulator "github.com/ferry-dev/ferry/internal/emulator/oss"
)

// uploadInParts uploads data as parts of partSize and completes the
// upload, returning the CRC header of the Complete reply.
func uploadInParts(t *testing.T, b *sdk.Bucket, key string, data []byte, partSize int) string {
	t.Helper()
	imur, err := b.InitiateMultipartUpload(key)
	if err != nil {
		t.Fatal(err)
	}
	var parts []sdk.UploadPart
	for i := 0; i*partSize < len(data); i++ {
		chunk := data[i*partSize : min((i+1)*partSize, len(data))]
		// The SDK checks each part's reply CRC against the bytes it sent:
		// a damaged part must still pass that check.
		p, err := b.UploadPart(imur, bytes.NewReader(chunk), int64(len(chunk)), i+1)
		if err != nil {
			t.Fatalf("part %d: %v", i+1, err)
		}
		parts = append(parts, p)
	}
	var h http.Header
	if _, err := b.CompleteMultipartUpload(imur, parts, sdk.GetResponseHeader(&h)); err != nil {
		t.Fatalf("complete: %v", err)
	}
	return h.Get("X-Oss-Hash-Crc64ecma")
}

func TestFlipByteInPart(t *testing.T) {
	srv := start(t)
	b := client(t, srv, signings[1], testSecret)
	const partSize = 128 * 1024
	data := randomBytes(11, 3*partSize+99)

	srv.FlipByteInPart(2, 1)
	crc := uploadInParts(t, b, "damaged", data, partSize)
	stored, _ := srv.Object(testBucket, "damaged")
	if len(stored) != len(data) {
		t.Fatalf("stored %d bytes, want %d", len(stored), len(data))
	}
	var diff []int
	for i := range data {
		if stored[i] != data[i] {
			diff = append(diff, i)
		}
	}
	if len(diff) != 1 || diff[0] < partSize || diff[0] >= 2*partSize {
		t.Errorf("stored object differs at %v, want one offset inside part 2", diff)
	}
	if crc != crcOf(stored) || crc == crcOf(data) {
		t.Errorf("complete reported CRC %s; want the stored bytes' %s, not the sent bytes' %s", crc, crcOf(stored), crcOf(data))
	}
	if n := srv.Flipped(); n != 1 {
		t.Errorf("Flipped() = %d, want 1", n)
	}

	// Applied once: the next upload is intact.
	if crc := uploadInParts(t, b, "intact", data, partSize); crc != crcOf(data) {
		t.Errorf("second upload CRC %s, want %s", crc, crcOf(data))
	}
	if got, _ := srv.Object(testBucket, "intact"); !bytes.Equal(got, data) {
		t.Error("second upload was damaged too")
	}

	// Negative times: every upload of the part, until turned off.
	srv.FlipByteInPart(1, -1)
	for _, key := range []string{"a", "b"} {
		if crc := uploadInParts(t, b, key, data, partSize); crc == crcOf(data) {
			t.Errorf("%s: not damaged", key)
		}
	}
	srv.FlipByteInPart(1, 0)
	if crc := uploadInParts(t, b, "c", data, partSize); crc != crcOf(data) {
		t.Error("damage not turned off")
	}
	if n := srv.Flipped(); n != 3 {
		t.Errorf("Flipped() = %d, want 3", n)
	}
}

func TestRequests(t *testing.T) {
	srv := start(t)
	b := client(t, srv, signings[0], testSecret)
	before := srv.Requests()
	for _, k := range []string{"x", "y"} {
		if err := b.PutObject(k, bytes.NewReader([]byte(k))); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.ListObjectsV2(); err != nil {
		t.Fatal(err)
	}
	if n := srv.Requests(emulator.OpPutObject); n != 2 {
		t.Errorf("Requests(PutObject) = %d, want 2", n)
	}
	if n := srv.Requests(emulator.OpPutObject, emulator.OpListObjectsV2); n != 3 {
		t.Errorf("Requests(PutObject, ListObjectsV2) = %d, want 3", n)
	}
	if n := srv.Requests() - before; n != 3 {
		t.Errorf("Requests() grew by %d, want 3", n)
	}
	if n := srv.Requests(emulator.OpGetObject); n != 0 {
		t.Errorf("Requests(GetObject) = %d, want 0", n)
	}
}
