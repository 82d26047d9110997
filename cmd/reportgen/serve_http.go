package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/reportgen/reportgen/server"
)

// extraListeners are serve's listeners beside the gRPC one: the same
// service over HTTP (Connect protocol, JSON), and a health-only gRPC port
// for probes that cannot do TLS (Kubernetes' native gRPC probes).
type extraListeners struct {
	httpListen   string
	healthListen string
}

func extraListenerFlags(fs *flag.FlagSet) *extraListeners {
	l := &extraListeners{}
	fs.StringVar(&l.httpListen, "http-listen", "", "also serve the RPCs over HTTP (Connect protocol: POST /reportgen.v1.ReportService/GenerateReport with JSON) and /healthz, /readyz on this address, with the same TLS, tokens, limits and metrics (off when empty)")
	fs.StringVar(&l.healthListen, "health-listen", "", "serve only grpc.health.v1 in plaintext on this address, for probes that cannot do TLS such as Kubernetes gRPC probes; it carries no report data (off when empty)")
	return l
}

// start opens the listeners and serves until ctx ends; then the HTTP
// server drains for up to grace. wait blocks until both have stopped.
func (l *extraListeners) start(ctx context.Context, srv *grpc.Server, h *health.Server, o *serveOptions, grace time.Duration, log *slog.Logger) (wait func(), err error) {
	var stops []func()
	wait = func() {
		for _, s := range stops {
			s()
		}
	}
	if l.httpListen != "" {
		stop, err := l.startHTTP(ctx, srv, h, o, grace, log)
		if err != nil {
			return wait, err
		}
		stops = append(stops, stop)
	}
	if l.healthListen != "" {
		lis, err := net.Listen("tcp", l.healthListen)
		if err != nil {
			return wait, fmt.Errorf("health listen: %w", err)
		}
		hs := grpc.NewServer()
		healthpb.RegisterHealthServer(hs, h) // the same statuses: NOT_SERVING once draining
		go func() {
			if err := hs.Serve(lis); err != nil {
				log.Error("health server", "err", err.Error())
			}
		}()
		log.Info("health serving", "addr", lis.Addr().String())
		stops = append(stops, hs.Stop)
	}
	return wait, nil
}

func (l *extraListeners) startHTTP(ctx context.Context, srv *grpc.Server, h *health.Server, o *serveOptions, grace time.Duration, log *slog.Logger) (stop func(), err error) {
	if o.tlsConfig == nil {
		if err := server.CheckPlaintext(l.httpListen, o.allowPlaintext); err != nil {
			return nil, fmt.Errorf("--http-listen: %w", err)
		}
	}
	handler, err := server.HTTPHandler(srv, h, o.limits)
	if err != nil {
		return nil, err
	}
	lis, err := net.Listen("tcp", l.httpListen)
	if err != nil {
		return nil, fmt.Errorf("http listen: %w", err)
	}
	hs := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	// HTTP/1.1 for curl and integration engines; HTTP/2 (h2c in the clear)
	// for Connect and gRPC-Web streams.
	var protocols http.Protocols
	protocols.SetHTTP1(true)
	if o.tlsConfig != nil {
		protocols.SetHTTP2(true)
		hs.TLSConfig = o.tlsConfig.Clone()
		lis = tls.NewListener(lis, hs.TLSConfig)
	} else {
		protocols.SetUnencryptedHTTP2(true)
	}
	hs.Protocols = &protocols
	done := make(chan struct{})
	go func() {
		if err := hs.Serve(lis); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("http server", "err", err.Error())
		}
	}()
	go func() {
		defer close(done)
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), grace)
		defer cancel()
		if err := hs.Shutdown(shut); err != nil {
			_ = hs.Close() // the grace period is over
		}
	}()
	log.Info("http serving", "addr", lis.Addr().String(), "protocol", "connect", "tls", o.tlsConfig != nil)
	return func() { <-done }, nil
}
