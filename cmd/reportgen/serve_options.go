package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"github.com/reportgen/reportgen/server"
)

// serveOptions are the transport, authentication, limit and metrics flags
// of serve.
type serveOptions struct {
	tlsCert, tlsKey, clientCA string
	tokenFile                 string
	allowPlaintext            bool
	metricsListen             string
	limits                    server.Limits
	tlsConfig                 *tls.Config // set by build when TLS is on; the HTTP listener uses it too
}

func serveFlags(fs *flag.FlagSet) *serveOptions {
	o := &serveOptions{}
	fs.StringVar(&o.tlsCert, "tls-cert", "", "server certificate (PEM); with --tls-key enables TLS")
	fs.StringVar(&o.tlsKey, "tls-key", "", "server private key (PEM)")
	fs.StringVar(&o.clientCA, "tls-client-ca", "", "CA bundle (PEM) that client certificates must chain to: enables mutual TLS")
	fs.StringVar(&o.tokenFile, "auth-token-file", "", "file of accepted bearer tokens, one per line; calls must send 'authorization: Bearer <token>'")
	fs.BoolVar(&o.allowPlaintext, "allow-plaintext", false, "allow plaintext on a non-loopback address (only behind a proxy that terminates TLS)")
	fs.StringVar(&o.metricsListen, "metrics-listen", "", "address for the Prometheus /metrics endpoint, e.g. 127.0.0.1:9090 (off when empty)")
	o.limits = server.DefaultLimits()
	fs.IntVar(&o.limits.MaxConcurrentCalls, "max-concurrent-calls", o.limits.MaxConcurrentCalls, "calls served at once; more get RESOURCE_EXHAUSTED (0: no limit)")
	fs.IntVar(&o.limits.EngineWorkers, "engine-workers", o.limits.EngineWorkers, "reports rendered or validated at once across all calls; the rest wait until their deadline")
	fs.IntVar(&o.limits.MaxMessageBytes, "max-message-bytes", o.limits.MaxMessageBytes, "largest request message accepted")
	fs.IntVar(&o.limits.StreamInFlight, "stream-in-flight", o.limits.StreamInFlight, "requests of one GenerateReports stream held at once; past it the server stops reading and flow control pushes back")
	return o
}

// build checks the flags against the listen address and returns the
// server options. Patient data never travels in the clear off loopback
// unless the operator says a proxy protects it.
func (o *serveOptions) build(listen string, m *server.Metrics) ([]server.Option, error) {
	l := o.limits
	ceil := server.MaxLimits()
	if err := checkRanges(
		intRange{"--max-concurrent-calls", l.MaxConcurrentCalls, 0, ceil.MaxConcurrentCalls},
		intRange{"--engine-workers", l.EngineWorkers, 1, ceil.EngineWorkers},
		intRange{"--max-message-bytes", l.MaxMessageBytes, 1 << 20, ceil.MaxMessageBytes},
		intRange{"--stream-in-flight", l.StreamInFlight, 1, ceil.StreamInFlight},
	); err != nil {
		return nil, err
	}
	opts := []server.Option{server.WithMetrics(m)}
	switch {
	case o.tlsCert != "" || o.tlsKey != "":
		if o.tlsCert == "" || o.tlsKey == "" {
			return nil, errors.New("--tls-cert and --tls-key go together")
		}
		cfg, err := server.TLSConfig(o.tlsCert, o.tlsKey, o.clientCA)
		if err != nil {
			return nil, err
		}
		o.tlsConfig = cfg
		opts = append(opts, server.WithGRPCOptions(grpc.Creds(credentials.NewTLS(cfg))))
	case o.clientCA != "":
		return nil, errors.New("--tls-client-ca needs --tls-cert and --tls-key")
	default:
		if err := server.CheckPlaintext(listen, o.allowPlaintext); err != nil {
			return nil, err
		}
	}
	if o.tokenFile != "" {
		tokens, err := readTokens(o.tokenFile)
		if err != nil {
			return nil, err
		}
		opts = append(opts, server.WithBearerTokens(tokens))
	}
	return opts, nil
}

func readTokens(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("auth token file: %w", err)
	}
	defer f.Close()
	var tokens []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if t := strings.TrimSpace(sc.Text()); t != "" && !strings.HasPrefix(t, "#") {
			tokens = append(tokens, t)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("auth token file: %w", err)
	}
	if len(tokens) == 0 {
		return nil, fmt.Errorf("auth token file %s holds no token", path)
	}
	return tokens, nil
}

// startMetrics serves /metrics until ctx ends; it returns the bound
// address, or "" when metrics are off.
func startMetrics(ctx context.Context, addr string, m *server.Metrics, log *slog.Logger) (string, error) {
	if addr == "" {
		return "", nil
	}
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("metrics listen: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", m.Handler())
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := hs.Serve(lis); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics server", "err", err.Error())
		}
	}()
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = hs.Shutdown(shut)
	}()
	return lis.Addr().String(), nil
}
