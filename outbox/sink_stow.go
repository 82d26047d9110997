package outbox

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// STOW stores the SR in a PACS with DICOMweb STOW-RS (PS3.18 §10.5): one
// POST of multipart/related; type="application/dicom" to BASE/studies.
// The PACS answers with a Store Instances Response; a Failed SOP Sequence
// in it, or any status but 200 and 202, is a failure, retried later.
type STOW struct {
	// Base is the DICOMweb service root, e.g. http://pacs:8042/dicom-web.
	Base string
	// Client makes the requests; nil uses a client with a 60 s timeout.
	Client *http.Client
	// Token, when set, is sent as "Authorization: Bearer <token>".
	Token string
}

// Name implements Sink.
func (s *STOW) Name() string { return "stow" }

// maxStowAnswer bounds the response read.
const maxStowAnswer = 1 << 20

// Deliver implements Sink.
func (s *STOW) Deliver(ctx context.Context, r *Record) error {
	sr, ok := r.Payloads[PayloadSR]
	if !ok {
		return fmt.Errorf("stow: the record has no SR")
	}
	var rnd [12]byte
	rand.Read(rnd[:])
	boundary := "reportgen-" + hex.EncodeToString(rnd[:])
	var body bytes.Buffer
	body.WriteString("--" + boundary + "\r\nContent-Type: application/dicom\r\n\r\n")
	body.Write(sr)
	body.WriteString("\r\n--" + boundary + "--\r\n")
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(s.Base, "/")+"/studies", &body)
	if err != nil {
		return fmt.Errorf("stow: %w", err)
	}
	req.Header.Set("Content-Type", `multipart/related; type="application/dicom"; boundary=`+boundary)
	req.Header.Set("Accept", "application/dicom+json")
	if s.Token != "" {
		req.Header.Set("Authorization", "Bearer "+s.Token)
	}
	c := s.Client
	if c == nil {
		c = &http.Client{Timeout: 60 * time.Second}
	}
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("stow: %w", err)
	}
	defer resp.Body.Close()
	// The answer may echo attributes of the instance: it is read for the
	// failure sequence only and never logged.
	ans, _ := io.ReadAll(io.LimitReader(resp.Body, maxStowAnswer))
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusAccepted {
		return fmt.Errorf("stow: the PACS answered HTTP %d", resp.StatusCode)
	}
	if reason, failed := stowFailure(ans); failed {
		return fmt.Errorf("stow: the PACS refused the SR (failure reason %s)", reason)
	}
	return nil
}

// stowFailure reads a DICOM JSON Store Instances Response and reports a
// Failed SOP Sequence (0008,1198) with its first Failure Reason
// (0008,1197).
func stowFailure(ans []byte) (string, bool) {
	if len(bytes.TrimSpace(ans)) == 0 || bytes.TrimSpace(ans)[0] != '{' && bytes.TrimSpace(ans)[0] != '[' {
		return "", false
	}
	type attr struct {
		Value []json.RawMessage `json:"Value"`
	}
	var obj map[string]attr
	if bytes.TrimSpace(ans)[0] == '[' {
		var arr []map[string]attr
		if json.Unmarshal(ans, &arr) != nil || len(arr) == 0 {
			return "", false
		}
		obj = arr[0]
	} else if json.Unmarshal(ans, &obj) != nil {
		return "", false
	}
	failed, ok := obj["00081198"]
	if !ok || len(failed.Value) == 0 {
		return "", false
	}
	var item map[string]attr
	if json.Unmarshal(failed.Value[0], &item) == nil {
		if r, ok := item["00081197"]; ok && len(r.Value) > 0 {
			var code int
			if json.Unmarshal(r.Value[0], &code) == nil {
				return fmt.Sprintf("0x%04X", code), true
			}
		}
	}
	return "unknown", true
}
