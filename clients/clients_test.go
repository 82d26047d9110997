// Package clients_test runs the Node and Python clients in clients/
// against a real server: each must call every RPC of the service using
// only what the server's reflection serves.
package clients_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reportgen/reportgen"
	"github.com/reportgen/reportgen/intake"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
	"github.com/reportgen/reportgen/server"
)

// serve runs a server with a bearer token on loopback; it returns the
// address and a token file.
func serve(t *testing.T) (addr, tokenFile string) {
	t.Helper()
	e, err := reportgen.New(reportgen.Config{SchemaDir: "../schemas/synced"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	// The intake without an outbox, as the RPC has it on a server that
	// delivers nowhere: the documents come back in the answer.
	in, err := intake.New(intake.Config{Engine: e})
	if err != nil {
		t.Fatal(err)
	}
	srv, _ := server.New(e, slog.New(slog.NewTextHandler(io.Discard, nil)), server.DefaultLimits(),
		server.WithBearerTokens([]string{"client-test-token"}), server.WithHL7(in))
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	tokenFile = filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte("client-test-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return lis.Addr().String(), tokenFile
}

// checkEveryRPC runs a client and checks it called every method of the
// service (as this binary's own descriptor lists them) and health.
func checkEveryRPC(t *testing.T, name string, cmd *exec.Cmd) {
	t.Helper()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s client: %v\n%s", name, err, out)
	}
	lines := string(out)
	methods := pb.File_reportgen_v1_service_proto.Services().ByName("ReportService").Methods()
	for i := range methods.Len() {
		m := string(methods.Get(i).Name())
		if !strings.Contains(lines, "ok "+m+": ") {
			t.Errorf("%s client did not call %s:\n%s", name, m, lines)
		}
	}
	if !strings.Contains(lines, "ok Health.Check: status 1") || strings.Contains(lines, "FAIL") {
		t.Errorf("%s client:\n%s", name, lines)
	}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return c
}

// TestNodeClient: @grpc/grpc-js and @bufbuild/protobuf (installed by
// scripts/setup.sh with npm ci) build every request from reflection.
func TestNodeClient(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is missing: scripts/setup.sh installs it")
	}
	if _, err := os.Stat("node/node_modules/@grpc/grpc-js"); err != nil {
		t.Fatal("clients/node/node_modules is missing: scripts/setup.sh runs npm ci there")
	}
	addr, token := serve(t)
	checkEveryRPC(t, "Node", exec.CommandContext(ctx(t), node, "node/reflect.mjs",
		"--addr", addr, "--token-file", token, "--request", "../examples/ct-chest-measurements.json", "--requests", "testdata"))
}

// TestPythonClient: Debian's python3-grpcio and python3-protobuf build
// every request from reflection.
func TestPythonClient(t *testing.T) {
	// Debian's interpreter: the packages are installed for it, not for
	// another python3 earlier on PATH.
	const python = "/usr/bin/python3"
	if out, err := exec.Command(python, "-c", "import grpc, google.protobuf").CombinedOutput(); err != nil {
		t.Fatalf("python3-grpcio and python3-protobuf are missing (scripts/setup.sh installs them): %v\n%s", err, out)
	}
	addr, token := serve(t)
	checkEveryRPC(t, "Python", exec.CommandContext(ctx(t), python, "python/reflect.py",
		"--addr", addr, "--token-file", token, "--request", "../examples/ct-chest-measurements.json", "--requests", "testdata"))
}
