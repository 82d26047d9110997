package batch

import (
	"context"
	"crypto/tls"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/status"

	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
	"github.com/reportgen/reportgen/server"
)

// TestHintNamesTheFix runs a remote batch against servers whose security
// does not fit the client's, and checks the error names the flag that
// fixes it, and that a configuration mismatch is not retried.
func TestHintNamesTheFix(t *testing.T) {
	caFile, certFile, keyFile := testPKI(t)
	tlsCfg, err := server.TLSConfig(certFile, keyFile, "")
	if err != nil {
		t.Fatal(err)
	}
	mtlsCfg, err := server.TLSConfig(certFile, keyFile, caFile)
	if err != nil {
		t.Fatal(err)
	}
	// Under TLS 1.3 a server refuses a missing client certificate after
	// the client's side of the handshake is done, so the client sees either
	// the alert or, when its first write comes first, a broken pipe. TLS 1.2
	// refuses it inside the handshake: the alert always arrives.
	mtlsCfg.MaxVersion = tls.VersionTLS12
	tlsSrv := startServerWith(t, server.DefaultLimits(), server.WithBearerTokens([]string{"tok"}),
		server.WithGRPCOptions(grpc.Creds(credentials.NewTLS(tlsCfg))))
	mtlsSrv := startServerWith(t, server.DefaultLimits(), server.WithGRPCOptions(grpc.Creds(credentials.NewTLS(mtlsCfg))))
	plain := startServerWith(t, server.DefaultLimits())
	in := writeJSONL(t, requestLines(t, 2, nil))
	tlsCA, err := ClientTLS(caFile, "", "")
	if err != nil {
		t.Fatal(err)
	}
	tlsSystem, err := ClientTLS("", "", "")
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := BearerToken("tok", false)
	wrong, _ := BearerToken("wrong", false)

	tests := []struct {
		name   string
		addr   string
		opts   []grpc.DialOption
		fix    string
		config bool // given up at once, not after retries
	}{
		{"plaintext client, TLS server", tlsSrv.addr, nil, "add --tls", false},
		{"TLS client, plaintext server", plain.addr, []grpc.DialOption{tlsCA}, "the servers speak plaintext", true},
		{"untrusted CA", tlsSrv.addr, []grpc.DialOption{tlsSystem, tok}, "--tls-ca", true},
		{"no token", tlsSrv.addr, []grpc.DialOption{tlsCA}, "--token-file", true},
		{"wrong token", tlsSrv.addr, []grpc.DialOption{tlsCA, wrong}, "--token-file", true},
		{"mutual TLS without a client certificate", mtlsSrv.addr, []grpc.DialOption{tlsCA}, "--tls-cert and --tls-key", true},
		{"no server", "127.0.0.1:1", nil, "nothing listens", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cc, err := Dial(tt.addr, tt.opts...)
			if err != nil {
				t.Fatal(err)
			}
			defer cc.Close()
			r := &Remote{Client: pb.NewReportServiceClient(cc), Streams: 1, Backoff: 5 * time.Millisecond}
			_, err = Run(context.Background(), Config{In: in, Out: t.TempDir(), Renderer: r})
			if err == nil {
				t.Fatal("the batch succeeded")
			}
			if h := Hint(err); !strings.Contains(h, tt.fix) {
				t.Errorf("Hint(%v) = %q, want it to name %q", err, h, tt.fix)
			}
			if retried := strings.Contains(err.Error(), "times in a row"); retried == tt.config {
				t.Errorf("retried = %v for a mismatch of configuration = %v: %v", retried, tt.config, err)
			}
		})
	}
	if h := Hint(context.Canceled); h != "" {
		t.Errorf("Hint(context.Canceled) = %q", h)
	}
}

// TestHintReadsBothCloses pins the two errors grpc-go gives a plaintext
// client whose TLS server closes on it: which one arrives is a race that
// TestHintNamesTheFix cannot steer.
func TestHintReadsBothCloses(t *testing.T) {
	tests := []struct {
		name string
		err  error
		fix  string
	}{
		{"EOF", status.Error(codes.Unavailable, `connection error: desc = "error reading server preface: EOF"`), "add --tls"},
		{"reset", status.Error(codes.Unavailable, `connection error: desc = "error reading server preface: connection reset by peer"`), "add --tls"},
		{"reset later in the call", status.Error(codes.Unavailable, `connection error: desc = "connection reset by peer"`), ""},
		{"preface text, other code", status.Error(codes.Internal, `error reading server preface: EOF`), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := Hint(tt.err)
			if tt.fix == "" && h != "" || !strings.Contains(h, tt.fix) {
				t.Errorf("Hint(%v) = %q, want %q", tt.err, h, tt.fix)
			}
			if misconfigured(tt.err) {
				t.Errorf("misconfigured(%v) = true: a close is retried", tt.err)
			}
		})
	}
}
