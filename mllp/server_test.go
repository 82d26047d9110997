package mllp

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// echo answers "ACK " + the message.
var echo = HandlerFunc(func(_ context.Context, msg []byte) []byte { return append([]byte("ACK "), msg...) })

func serve(t *testing.T, s *Server) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(l) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.Shutdown(ctx)
		if err := <-done; !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve returned %v", err)
		}
	})
	return l.Addr().String()
}

func dial(t *testing.T, addr string) *Client {
	t.Helper()
	c, err := Dial(context.Background(), addr, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func send(t *testing.T, c *Client, msg string) string {
	t.Helper()
	ans, err := c.Send(context.Background(), []byte(msg), 5*time.Second)
	if err != nil {
		t.Fatalf("send %q: %v", msg, err)
	}
	return string(ans)
}

func TestServerManyConnections(t *testing.T) {
	addr := serve(t, &Server{Handler: echo})
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			c, err := Dial(context.Background(), addr, nil, 0)
			if err != nil {
				t.Error(err)
				return
			}
			defer c.Close()
			for j := range 20 {
				msg := fmt.Sprintf("MSH|%d|%d", i, j)
				ans, err := c.Send(context.Background(), []byte(msg), 5*time.Second)
				if err != nil || string(ans) != "ACK "+msg {
					t.Errorf("answer %q, %v", ans, err)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestServerOversizedFrameThenNext(t *testing.T) {
	var heads [][]byte
	var mu sync.Mutex
	s := &Server{Handler: echo, MaxMessageBytes: 1024, Reject: func(head []byte, err error) []byte {
		mu.Lock()
		heads = append(heads, head)
		mu.Unlock()
		return []byte("NAK " + err.Error())
	}}
	addr := serve(t, s)
	c := dial(t, addr)
	big := "MSH|big|" + strings.Repeat("x", 10000)
	if got := send(t, c, big); got != "NAK mllp: message larger than 1024 bytes" {
		t.Errorf("oversized answer %q", got)
	}
	if got := send(t, c, "MSH|next"); got != "ACK MSH|next" {
		t.Errorf("next answer %q", got)
	}
	if len(heads) != 1 || !strings.HasPrefix(string(heads[0]), "MSH|big|") || len(heads[0]) > headSize {
		t.Errorf("Reject got %d heads", len(heads))
	}
}

func TestServerDroppedMidFrame(t *testing.T) {
	reg := prometheus.NewRegistry()
	addr := serve(t, &Server{Handler: echo, Metrics: NewMetrics(reg)})
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	nc.Write([]byte("\x0bMSH|half a mess"))
	nc.Close()
	// The server lives on, and a new connection works.
	c := dial(t, addr)
	if got := send(t, c, "MSH|after"); got != "ACK MSH|after" {
		t.Errorf("answer %q", got)
	}
	deadline := time.Now().Add(5 * time.Second)
	for counter(t, reg, "reportgen_mllp_frames_total", "incomplete") != 1 {
		if time.Now().After(deadline) {
			t.Fatal("the dropped frame was not counted")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestServerSlowAndIdleClients(t *testing.T) {
	addr := serve(t, &Server{Handler: echo, ReadTimeout: 200 * time.Millisecond, IdleTimeout: 300 * time.Millisecond})
	t.Run("a frame that trickles is cut off", func(t *testing.T) {
		nc, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		nc.Write([]byte("\x0bMSH|slow"))
		start := time.Now()
		nc.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := nc.Read(make([]byte, 16)); !errors.Is(err, io.EOF) {
			t.Errorf("read %v, want the server to close", err)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("closed after %v", d)
		}
	})
	t.Run("an idle connection is closed", func(t *testing.T) {
		c := dial(t, addr)
		if got := send(t, c, "MSH|one"); got != "ACK MSH|one" {
			t.Fatalf("answer %q", got)
		}
		time.Sleep(600 * time.Millisecond)
		if _, err := c.Send(context.Background(), []byte("MSH|late"), 2*time.Second); err == nil {
			t.Error("an idle connection still answered")
		}
	})
}

func TestServerMaxConnections(t *testing.T) {
	addr := serve(t, &Server{Handler: echo, MaxConnections: 1})
	first := dial(t, addr)
	send(t, first, "MSH|1")
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := nc.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
		t.Errorf("second connection: %v, want closed", err)
	}
	if got := send(t, first, "MSH|2"); got != "ACK MSH|2" {
		t.Errorf("first connection after refusal: %q", got)
	}
}

// TestServerShutdownFinishesMessages: a message being handled when
// Shutdown starts is answered; idle connections are closed; no new
// connection is accepted.
func TestServerShutdownFinishesMessages(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	s := &Server{Handler: HandlerFunc(func(_ context.Context, msg []byte) []byte {
		if string(msg) == "MSH|slow" {
			close(started)
			<-release
		}
		return append([]byte("ACK "), msg...)
	})}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve(l)
	addr := l.Addr().String()
	idle := dial(t, addr)
	send(t, idle, "MSH|warm")
	busy := dial(t, addr)
	answer := make(chan string, 1)
	go func() {
		ans, err := busy.Send(context.Background(), []byte("MSH|slow"), 10*time.Second)
		if err != nil {
			answer <- err.Error()
		}
		answer <- string(ans)
	}()
	<-started
	shut := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		shut <- s.Shutdown(ctx)
	}()
	time.Sleep(100 * time.Millisecond)
	close(release)
	if got := <-answer; got != "ACK MSH|slow" {
		t.Errorf("in-flight message answered %q", got)
	}
	if err := <-shut; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	if _, err := idle.Send(context.Background(), []byte("MSH|x"), 2*time.Second); err == nil {
		t.Error("idle connection still open after Shutdown")
	}
	if _, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		t.Error("accepting after Shutdown")
	}
}

func TestServerTLS(t *testing.T) {
	cert, pool := selfSigned(t)
	addr := serve(t, &Server{Handler: echo, TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}}})
	c, err := Dial(context.Background(), addr, &tls.Config{RootCAs: pool, ServerName: "localhost"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got := send(t, c, "MSH|tls"); got != "ACK MSH|tls" {
		t.Errorf("answer %q", got)
	}
	// A plaintext client gets nothing and does not hurt the server.
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	nc.Write(Frame([]byte("MSH|plain")))
	nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	if line, _ := bufio.NewReader(nc).ReadString(EndBlock); strings.Contains(line, "ACK") {
		t.Errorf("plaintext answered %q", line)
	}
	nc.Close()
	if got := send(t, c, "MSH|still"); got != "ACK MSH|still" {
		t.Errorf("answer %q", got)
	}
}

func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"}, DNSNames: []string{"localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// counter reads a counter of the registry with the given label value.
func counter(t *testing.T, reg *prometheus.Registry, name, label string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetValue() == label {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}
