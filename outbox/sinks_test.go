package outbox

import (
	"bytes"
	"context"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reportgen/reportgen/mllp"
)

func TestDirSink(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, ".tmp-left-over"), []byte("x"), 0o644)
	d, err := NewDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, ".tmp-left-over")); !os.IsNotExist(err) {
		t.Error("left-over temporary file kept")
	}
	r := record(1, "")
	if err := d.Deliver(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	// Again with the same bytes (a redelivery after a crash): same names.
	if err := d.Deliver(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	// Another document under the same name: it gets a name of its own.
	other := record(2, "")
	other.Name = r.Name
	other.Payloads[PayloadCDA] = []byte("<other/>")
	if err := d.Deliver(context.Background(), other); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := []string{"msg1--" + id(2) + ".cda.xml", "msg1--" + id(2) + ".sr.dcm", "msg1.cda.xml", "msg1.sr.dcm"}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Errorf("files %v, want %v", names, want)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "msg1.cda.xml")); string(b) != "<cda/>" {
		t.Errorf("first document replaced: %q", b)
	}
}

func TestSTOWSink(t *testing.T) {
	var mu sync.Mutex
	status, answer := http.StatusOK, `{"00081199":{"vr":"SQ","Value":[{}]}}`
	var got []byte
	var auth string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if r.Method != http.MethodPost || r.URL.Path != "/dicom-web/studies" {
			t.Errorf("%s %s", r.Method, r.URL.Path)
		}
		auth = r.Header.Get("Authorization")
		mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || mt != "multipart/related" || params["type"] != "application/dicom" {
			t.Errorf("content type %q", r.Header.Get("Content-Type"))
		}
		part, err := multipart.NewReader(r.Body, params["boundary"]).NextPart()
		if err != nil {
			t.Fatal(err)
		}
		if part.Header.Get("Content-Type") != "application/dicom" {
			t.Errorf("part type %q", part.Header.Get("Content-Type"))
		}
		got, _ = io.ReadAll(part)
		w.Header().Set("Content-Type", "application/dicom+json")
		w.WriteHeader(status)
		io.WriteString(w, answer)
	}))
	defer srv.Close()
	s := &STOW{Base: srv.URL + "/dicom-web/", Token: "t0k"}
	r := record(1, "")
	r.Payloads[PayloadSR] = append([]byte("DICM\r\n--not-a-boundary\r\n"), bytes.Repeat([]byte{0, 1, 2}, 100)...)
	if err := s.Deliver(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, r.Payloads[PayloadSR]) || auth != "Bearer t0k" {
		t.Errorf("PACS got %d bytes, auth %q", len(got), auth)
	}
	for _, tc := range []struct {
		status int
		answer string
		want   string
	}{
		{http.StatusOK, `{"00081198":{"vr":"SQ","Value":[{"00081197":{"vr":"US","Value":[272]}}]}}`, "failure reason 0x0110"},
		{http.StatusConflict, `{}`, "HTTP 409"},
		{http.StatusServiceUnavailable, ``, "HTTP 503"},
	} {
		mu.Lock()
		status, answer = tc.status, tc.answer
		mu.Unlock()
		err := s.Deliver(context.Background(), r)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("answer %d %s: %v, want %q", tc.status, tc.answer, err, tc.want)
		}
	}
	down := &STOW{Base: "http://127.0.0.1:1/dicom-web", Client: &http.Client{Timeout: time.Second}}
	if err := down.Deliver(context.Background(), r); err == nil {
		t.Error("delivered to a PACS that is not there")
	}
}

func TestMLLPSink(t *testing.T) {
	code := "AA"
	var mu sync.Mutex
	var msgs []string
	srv := &mllp.Server{Handler: mllp.HandlerFunc(func(_ context.Context, msg []byte) []byte {
		mu.Lock()
		defer mu.Unlock()
		msgs = append(msgs, string(msg))
		return []byte("MSH|^~\\&|EHR||REPORTGEN||20261121||ACK^R01^ACK|X1|P|2.5.1\rMSA|" + code + "|RG1\r")
	})}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	defer srv.Shutdown(context.Background())
	s := &MLLP{Addr: l.Addr().String(), Timeout: 5 * time.Second}
	defer s.Close()
	r := record(1, "")
	r.Payloads[PayloadORU] = []byte("MSH|^~\\&|REPORTGEN\rPID|1\r")
	for range 2 {
		if err := s.Deliver(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
	if len(msgs) != 2 || msgs[0] != string(r.Payloads[PayloadORU]) {
		t.Errorf("peer got %q", msgs)
	}
	mu.Lock()
	code = "AE"
	mu.Unlock()
	if err := s.Deliver(context.Background(), r); err == nil || !strings.Contains(err.Error(), "answered AE") {
		t.Errorf("AE answer: %v", err)
	}
	none := &MLLP{Addr: "127.0.0.1:1", Timeout: time.Second}
	if err := none.Deliver(context.Background(), r); err == nil {
		t.Error("delivered to a peer that is not there")
	}
}
