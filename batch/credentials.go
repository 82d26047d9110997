package batch

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
)

// ClientTLS returns the dial option for TLS to the servers: their
// certificates are checked against the PEM bundle caFile (the system roots
// when empty); certFile and keyFile, when given, are the client's own
// certificate for servers that require mutual TLS. TLS 1.2 is the floor,
// as on the server.
func ClientTLS(caFile, certFile, keyFile string) (grpc.DialOption, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("batch: TLS CA: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("batch: TLS CA %s holds no PEM certificate", caFile)
		}
		cfg.RootCAs = pool
	}
	if (certFile == "") != (keyFile == "") {
		return nil, errors.New("batch: a client certificate needs both its certificate and its key")
	}
	if certFile != "" {
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return nil, fmt.Errorf("batch: TLS client certificate: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return grpc.WithTransportCredentials(credentials.NewTLS(cfg)), nil
}

// BearerToken returns the dial option that sends "authorization: Bearer
// <token>" with every call, for servers started with bearer tokens. With
// requireTLS the token is never sent over a plaintext connection; without
// it, it may be (a loopback server, or a proxy that terminates TLS on the
// same host).
func BearerToken(token string, requireTLS bool) (grpc.DialOption, error) {
	token = strings.TrimSpace(token)
	if token == "" {
		return nil, errors.New("batch: the bearer token is empty")
	}
	return grpc.WithPerRPCCredentials(bearer{token: token, secure: requireTLS}), nil
}

// ReadToken reads a bearer token from a file (one line; surrounding space
// is dropped), so it never appears on a command line.
func ReadToken(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("batch: token file: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}

type bearer struct {
	token  string
	secure bool
}

func (b bearer) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer " + b.token}, nil
}

func (b bearer) RequireTransportSecurity() bool { return b.secure }
