package server

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
)

// TLSConfig builds the server's TLS configuration from PEM files: its
// certificate and key, and, for mutual TLS, the CA bundle that client
// certificates must chain to (then a client without a valid certificate is
// refused during the handshake). TLS 1.2 is the floor.
func TLSConfig(certFile, keyFile, clientCAFile string) (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("tls: load certificate and key: %w", err)
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
	if clientCAFile != "" {
		pem, err := os.ReadFile(clientCAFile)
		if err != nil {
			return nil, fmt.Errorf("tls: client CA: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("tls: client CA %s holds no PEM certificate", clientCAFile)
		}
		cfg.ClientCAs = pool
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	}
	return cfg, nil
}

// ErrPlaintextNotLoopback refuses to serve patient data in the clear on a
// network interface.
var ErrPlaintextNotLoopback = errors.New("refusing plaintext on a non-loopback address: give --tls-cert and --tls-key, or --allow-plaintext if a proxy terminates TLS")

// CheckPlaintext allows a plaintext listener only on a loopback address,
// unless allow is set.
func CheckPlaintext(listen string, allow bool) error {
	if allow {
		return nil
	}
	host, _, err := net.SplitHostPort(listen)
	if err != nil {
		return fmt.Errorf("listen address %q: %w", listen, err)
	}
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return ErrPlaintextNotLoopback
	}
	return nil
}
