package batch

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
	"github.com/reportgen/reportgen/server"
)

// testPKI writes a CA and a server certificate for 127.0.0.1, and returns
// the paths of the CA, the server certificate and its key.
func testPKI(t *testing.T) (ca, cert, key string) {
	t.Helper()
	dir := t.TempDir()
	write := func(name, typ string, der []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "batch test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	srvKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	srvTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		KeyUsage: x509.KeyUsageDigitalSignature,
	}
	caCert, _ := x509.ParseCertificate(caDER)
	srvDER, err := x509.CreateCertificate(rand.Reader, srvTmpl, caCert, &srvKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(srvKey)
	if err != nil {
		t.Fatal(err)
	}
	return write("ca.pem", "CERTIFICATE", caDER), write("server.pem", "CERTIFICATE", srvDER), write("server.key", "EC PRIVATE KEY", keyDER)
}

func TestRemoteTLSAndToken(t *testing.T) {
	caFile, certFile, keyFile := testPKI(t)
	tlsCfg, err := server.TLSConfig(certFile, keyFile, "")
	if err != nil {
		t.Fatal(err)
	}
	ts := startServerWith(t, server.DefaultLimits(),
		server.WithBearerTokens([]string{"right-token"}),
		server.WithGRPCOptions(grpc.Creds(credentials.NewTLS(tlsCfg))))
	in := writeJSONL(t, requestLines(t, 3, nil))

	tests := []struct {
		name    string
		token   string
		wantErr string
	}{
		{"right token", "right-token", ""},
		{"wrong token", "wrong-token", "Unauthenticated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tlsOpt, err := ClientTLS(caFile, "", "")
			if err != nil {
				t.Fatal(err)
			}
			tokOpt, err := BearerToken(tt.token, true)
			if err != nil {
				t.Fatal(err)
			}
			cc, err := Dial(ts.addr, tlsOpt, tokOpt)
			if err != nil {
				t.Fatal(err)
			}
			defer cc.Close()
			out := t.TempDir()
			r := &Remote{Client: pb.NewReportServiceClient(cc), Streams: 1}
			sum, err := Run(context.Background(), Config{In: in, Out: out, Renderer: r})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %s", err, tt.wantErr)
				}
				return
			}
			if err != nil || sum.Now.OK != 3 {
				t.Fatalf("%+v, %v", sum, err)
			}
			checkExactlyOnce(t, out, lineKeys(3))
		})
	}
	if _, err := ClientTLS(caFile, certFile, ""); err == nil {
		t.Error("a client certificate without its key was accepted")
	}
}
