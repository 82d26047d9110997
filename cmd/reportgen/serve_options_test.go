package main

import (
	"context"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reportgen/reportgen/server"
)

func TestServeOptions(t *testing.T) {
	dir := t.TempDir()
	tokens := filepath.Join(dir, "tokens")
	if err := os.WriteFile(tokens, []byte("# comment\n\n  abc  \n"), 0o600); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, []byte("# only a comment\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		o       serveOptions
		listen  string
		wantErr string
	}{
		{"plaintext on loopback", serveOptions{}, "127.0.0.1:50051", ""},
		{"plaintext on all interfaces", serveOptions{}, "0.0.0.0:50051", "refusing plaintext"},
		{"plaintext allowed explicitly", serveOptions{allowPlaintext: true}, "0.0.0.0:50051", ""},
		{"cert without key", serveOptions{tlsCert: "c.pem"}, "0.0.0.0:1", "go together"},
		{"client CA without TLS", serveOptions{clientCA: "ca.pem"}, "127.0.0.1:1", "needs --tls-cert"},
		{"missing cert files", serveOptions{tlsCert: "nope.pem", tlsKey: "nope.key"}, "0.0.0.0:1", "tls: load"},
		{"token file", serveOptions{tokenFile: tokens}, "127.0.0.1:1", ""},
		{"empty token file", serveOptions{tokenFile: empty}, "127.0.0.1:1", "holds no token"},
		{"missing token file", serveOptions{tokenFile: filepath.Join(dir, "nope")}, "127.0.0.1:1", "auth token file"},
	}
	for _, l := range []struct {
		name, flag string
		set        func(*server.Limits)
	}{
		{"zero engine workers", "--engine-workers 0", func(l *server.Limits) { l.EngineWorkers = 0 }},
		{"negative call limit", "--max-concurrent-calls -1", func(l *server.Limits) { l.MaxConcurrentCalls = -1 }},
		{"small messages", "--max-message-bytes 1000", func(l *server.Limits) { l.MaxMessageBytes = 1000 }},
		// Used to exhaust memory at the first stream.
		{"huge stream in flight", "--stream-in-flight 1000000000000", func(l *server.Limits) { l.StreamInFlight = 1e12 }},
		{"huge engine workers", "--engine-workers 1025", func(l *server.Limits) { l.EngineWorkers = 1025 }},
	} {
		bad := server.DefaultLimits()
		l.set(&bad)
		tests = append(tests, struct {
			name    string
			o       serveOptions
			listen  string
			wantErr string
		}{l.name, serveOptions{limits: bad}, "127.0.0.1:1", l.flag + " is out of range"})
	}
	for _, tt := range tests {
		if tt.o.limits == (server.Limits{}) {
			tt.o.limits = server.DefaultLimits()
		}
		_, err := tt.o.build(tt.listen, server.NewMetrics())
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("%s: %v, want an error containing %q", tt.name, err, tt.wantErr)
		}
	}
	if got, _ := readTokens(tokens); len(got) != 1 || got[0] != "abc" {
		t.Errorf("readTokens = %q", got)
	}
}

func TestServeRefusesPlaintextOffLoopback(t *testing.T) {
	code, _, stderr := runCmd(t, "serve", "--schemas", schemaDir, "--listen", "0.0.0.0:0")
	if code != exitFailure || !strings.Contains(stderr, "refusing plaintext") {
		t.Errorf("exit %d, stderr %s", code, stderr)
	}
}

func TestMetricsEndpoint(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m := server.NewMetrics()
	addr, err := startMetrics(ctx, "127.0.0.1:0", m, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(string(body), "reportgen_grpc_inflight_calls") {
		t.Errorf("metrics: %d %.200s", resp.StatusCode, body)
	}
	if a, err := startMetrics(ctx, "", m, nil); a != "" || err != nil {
		t.Errorf("metrics off: %q %v", a, err)
	}
}

func TestHL7FlagRanges(t *testing.T) {
	tests := []struct {
		args    []string
		wantErr string // "" for none
	}{
		{nil, ""},
		{[]string{"--mllp-idle-timeout", "0", "--mllp-workers", "0"}, ""},
		{[]string{"--mllp-max-message-bytes", "100"}, "--mllp-max-message-bytes 100 is out of range"},
		{[]string{"--mllp-max-connections", "-5"}, "--mllp-max-connections -5 is out of range"},
		{[]string{"--deliver-stow-workers", "1000000000"}, "--deliver-stow-workers 1000000000 is out of range"},
		{[]string{"--deliver-stow-workers", "0"}, "--deliver-stow-workers 0 is out of range"},
		{[]string{"--mllp-read-timeout", "0s"}, "--mllp-read-timeout 0s: it must be longer than 0"},
		{[]string{"--mllp-idle-timeout", "-1s"}, "--mllp-idle-timeout -1s: it must be 0 or longer"},
		{[]string{"--hl7-retention", "0s"}, "--hl7-retention 0s"},
		{[]string{"--deliver-retry-min", "2m", "--deliver-retry-max", "1m"}, "--deliver-retry-max 1m0s is shorter"},
	}
	for _, tt := range tests {
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		h := registerHL7Flags(fs)
		if err := fs.Parse(tt.args); err != nil {
			t.Fatalf("%v: %v", tt.args, err)
		}
		err := h.checkRanges()
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("%v: %v", tt.args, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("%v: %v, want an error containing %q", tt.args, err, tt.wantErr)
		}
	}
}
