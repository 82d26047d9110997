package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	rgbatch "github.com/reportgen/reportgen/batch"
)

// healthCmd asks a server's grpc.health.v1 service whether it serves: the
// container image's health check, and a probe for scripts. Exit 0 for
// SERVING, 1 for any other status, 3 when the server cannot be asked.
func healthCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("health", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:50051", "the server's gRPC (or --health-listen) address")
	service := fs.String("service", "", `the service to ask about; "" is the whole server, or reportgen.v1.ReportService`)
	timeout := fs.Duration("timeout", 3*time.Second, "give up after this long")
	useTLS := fs.Bool("tls", false, "connect with TLS, checking the server's certificate (system roots, or --tls-ca)")
	tlsCA := fs.String("tls-ca", "", "PEM bundle of the CA that signed the server's certificate (implies --tls)")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: reportgen health [--addr HOST:PORT] [--service NAME] [--tls] [--tls-ca FILE]")
		return exitUsage
	}
	creds := grpc.WithTransportCredentials(insecure.NewCredentials())
	if *useTLS || *tlsCA != "" {
		o, err := rgbatch.ClientTLS(*tlsCA, "", "")
		if err != nil {
			return fatalf(stderr, "%v", err)
		}
		creds = o
	}
	cc, err := grpc.NewClient(*addr, creds)
	if err != nil {
		return fatalf(stderr, "health: %v", err)
	}
	defer cc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	resp, err := healthpb.NewHealthClient(cc).Check(ctx, &healthpb.HealthCheckRequest{Service: *service}, grpc.WaitForReady(true))
	if err != nil {
		return fatalf(stderr, "health: %s: %v", *addr, err)
	}
	fmt.Fprintln(stdout, resp.GetStatus())
	if resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		return exitInvalid
	}
	return exitOK
}
