package deploy_test

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/protobuf/encoding/protojson"

	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

// imageConfig is the part of an image's configuration the test compares.
type imageConfig struct {
	Entrypoint  []string
	Cmd         []string
	User        string
	WorkingDir  string
	Ports       []string
	Healthcheck []string
}

// containerfileConfig reads the final stage of the Containerfile.
func containerfileConfig(t *testing.T) imageConfig {
	t.Helper()
	b, err := os.ReadFile("../Containerfile")
	if err != nil {
		t.Fatal(err)
	}
	// Join continuation lines, then keep the last stage.
	text := regexp.MustCompile(`\\\n\s*`).ReplaceAllString(string(b), " ")
	lines := strings.Split(text, "\n")
	last := 0
	for i, l := range lines {
		if strings.HasPrefix(l, "FROM ") {
			last = i
		}
	}
	var c imageConfig
	array := func(s string) []string {
		var a []string
		if err := json.Unmarshal([]byte(s), &a); err != nil {
			t.Fatalf("Containerfile: %q is not a JSON array: %v", s, err)
		}
		return a
	}
	for _, l := range lines[last:] {
		word, rest, _ := strings.Cut(strings.TrimSpace(l), " ")
		switch word {
		case "ENTRYPOINT":
			c.Entrypoint = array(rest)
		case "CMD":
			c.Cmd = array(rest)
		case "USER":
			c.User = rest
		case "WORKDIR":
			c.WorkingDir = rest
		case "EXPOSE":
			c.Ports = append(c.Ports, rest+"/tcp")
		case "HEALTHCHECK":
			_, cmd, _ := strings.Cut(rest, " CMD ")
			c.Healthcheck = append([]string{"CMD"}, array(cmd)...)
		}
	}
	slices.Sort(c.Ports)
	return c
}

// imageConfigOf inspects an image in the local storage (Docker format,
// which keeps the health check).
func imageConfigOf(t *testing.T, image string) imageConfig {
	t.Helper()
	out, err := exec.Command("buildah", "inspect", "--type", "image", image).Output()
	if err != nil {
		t.Fatalf("buildah inspect: %v", err)
	}
	var inspect struct {
		Docker struct {
			Config struct {
				Entrypoint   []string
				Cmd          []string
				User         string
				WorkingDir   string
				ExposedPorts map[string]struct{}
				Healthcheck  struct{ Test []string }
			} `json:"config"`
		}
	}
	if err := json.Unmarshal(out, &inspect); err != nil {
		t.Fatalf("buildah inspect: %v\n%s", err, out)
	}
	cfg := inspect.Docker.Config
	c := imageConfig{Entrypoint: cfg.Entrypoint, Cmd: cfg.Cmd, User: cfg.User, WorkingDir: cfg.WorkingDir, Healthcheck: cfg.Healthcheck.Test}
	for p := range cfg.ExposedPorts {
		c.Ports = append(c.Ports, p)
	}
	slices.Sort(c.Ports)
	return c
}

// TestImage builds the image with scripts/build-image.sh (mmdebstrap and
// buildah), checks its configuration is the Containerfile's, then runs its
// entrypoint and command from its root filesystem (chroot, as its user,
// in its working directory, with a TLS certificate mounted where a
// Kubernetes Secret goes) and checks the health command, gRPC over TLS
// (a report generated and validated with the image's libxml2), HTTPS
// /readyz, and a clean stop on SIGTERM.
func TestImage(t *testing.T) {
	if os.Getuid() != 0 {
		if os.Getenv("CI") != "" {
			t.Fatal("the image test needs root (mmdebstrap, chroot); CI runs as root")
		}
		t.Skip("needs root: mmdebstrap and chroot")
	}
	for _, tool := range []string{"mmdebstrap", "buildah"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is missing: scripts/setup.sh installs it", tool)
		}
	}
	dir := t.TempDir()
	rootfs := filepath.Join(dir, "rootfs")
	image := fmt.Sprintf("localhost/reportgen-test:%d", time.Now().UnixNano())
	build := exec.Command("bash", "../scripts/build-image.sh", "--rootfs", rootfs, "--image", image)
	out, err := build.CombinedOutput()
	t.Cleanup(func() { _ = exec.Command("buildah", "rmi", "--force", image).Run() })
	if err != nil {
		t.Fatalf("build-image: %v\n%s", err, out)
	}
	t.Logf("build-image:\n%s", out)

	want := containerfileConfig(t)
	got := imageConfigOf(t, image)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("the image built by scripts/build-image.sh differs from the Containerfile:\n got %+v\nwant %+v", got, want)
	}

	// Only libxml2 and its libraries: no shell, no package manager; the
	// package list is there for scanners.
	for _, absent := range []string{"bin/sh", "usr/bin/bash", "usr/bin/apt", "usr/bin/dpkg"} {
		if _, err := os.Lstat(filepath.Join(rootfs, absent)); err == nil {
			t.Errorf("the image holds /%s", absent)
		}
	}
	status, err := os.ReadFile(filepath.Join(rootfs, "var/lib/dpkg/status"))
	if err != nil || !strings.Contains(string(status), "Package: libxml2\nStatus: install ok installed\n") {
		t.Errorf("dpkg status of the image lacks libxml2: %v", err)
	}

	caPEM := writeTLS(t, filepath.Join(rootfs, "etc/reportgen/tls"))
	uid, gid := parseUser(t, got.User)

	// The image's entrypoint and command, ports moved to free ones.
	args := slices.Clone(got.Cmd)
	for i := range args {
		if i > 0 && strings.HasSuffix(args[i-1], "listen") {
			args[i] = "127.0.0.1:0"
		}
	}
	srv := exec.Command(got.Entrypoint[0], append(got.Entrypoint[1:], args...)...)
	srv.Dir = got.WorkingDir
	srv.SysProcAttr = &syscall.SysProcAttr{Chroot: rootfs, Credential: &syscall.Credential{Uid: uid, Gid: gid}}
	stderr, err := srv.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatalf("start the image's command in its root filesystem: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- srv.Wait() }()
	t.Cleanup(func() { _ = srv.Process.Kill() })
	addrs := map[string]string{}
	var logs []string
	sc := bufio.NewScanner(stderr)
	for len(addrs) < 3 && sc.Scan() {
		logs = append(logs, sc.Text())
		var rec struct{ Msg, Addr string }
		if json.Unmarshal(sc.Bytes(), &rec) == nil && rec.Addr != "" {
			addrs[rec.Msg] = rec.Addr
		}
	}
	if len(addrs) < 3 {
		t.Fatalf("the server did not start in the image:\n%s", strings.Join(logs, "\n"))
	}
	go func() {
		for sc.Scan() {
		}
	}()

	// It runs as the image's user.
	procStatus, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", srv.Process.Pid))
	if !regexp.MustCompile(fmt.Sprintf(`(?m)^Uid:\s+%d\s`, uid)).Match(procStatus) {
		t.Errorf("the server does not run as uid %d", uid)
	}

	// The image's health command, run inside the image.
	hc := slices.Clone(got.Healthcheck[1:])
	for i := range hc {
		if i > 0 && hc[i-1] == "--addr" {
			hc[i] = addrs["health serving"]
		}
	}
	check := exec.Command(hc[0], hc[1:]...)
	check.SysProcAttr = &syscall.SysProcAttr{Chroot: rootfs, Credential: &syscall.Credential{Uid: uid, Gid: gid}}
	if out, err := check.CombinedOutput(); err != nil || string(out) != "SERVING\n" {
		t.Errorf("the image's health check: %v %q", err, out)
	}

	// gRPC over TLS: health, and a report generated (and validated with the
	// image's libxml2) by the image's binary.
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	tlsCfg := &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	conn, err := grpc.NewClient(addrs["serving"], grpc.WithTransportCredentials(credentials.NewTLS(tlsCfg)))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	h, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
	if err != nil || h.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Errorf("gRPC health over TLS: %v %v", h, err)
	}
	b, err := os.ReadFile("../examples/ct-chest-measurements.json")
	if err != nil {
		t.Fatal(err)
	}
	req := &pb.GenerateReportRequest{}
	if err := protojson.Unmarshal(b, req); err != nil {
		t.Fatal(err)
	}
	resp, err := pb.NewReportServiceClient(conn).GenerateReport(ctx, req)
	if err != nil || len(resp.GetDocuments()) != 2 {
		t.Errorf("GenerateReport in the image: %v", err)
	}

	// HTTPS /readyz on the HTTP listener.
	hcl := &http.Client{Transport: &http.Transport{TLSClientConfig: tlsCfg}, Timeout: 10 * time.Second}
	r, err := hcl.Get("https://" + addrs["http serving"] + "/readyz")
	if err != nil || r.StatusCode != http.StatusOK {
		t.Errorf("GET /readyz over TLS: %v %v", r, err)
	} else {
		r.Body.Close()
	}

	if err := srv.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("after SIGTERM: %v", err)
		}
	case <-time.After(60 * time.Second):
		t.Error("no exit within 60 s of SIGTERM")
	}
}

func parseUser(t *testing.T, user string) (uid, gid uint32) {
	t.Helper()
	u, g, ok := strings.Cut(user, ":")
	un, err1 := strconv.Atoi(u)
	gn, err2 := strconv.Atoi(g)
	if !ok || err1 != nil || err2 != nil || un == 0 {
		t.Fatalf("the image's USER %q is not a numeric non-root uid:gid", user)
	}
	return uint32(un), uint32(gn)
}

// writeTLS writes tls.crt and tls.key for 127.0.0.1, as a Kubernetes TLS
// Secret mounts them, and returns the CA certificate in PEM.
func writeTLS(t *testing.T, dir string) []byte {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "image test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	// A Secret volume's files are readable by the pod's fsGroup; here,
	// world-readable inside a test folder.
	for name, block := range map[string]*pem.Block{"tls.crt": {Type: "CERTIFICATE", Bytes: der}, "tls.key": {Type: "EC PRIVATE KEY", Bytes: keyDER}} {
		if err := os.WriteFile(filepath.Join(dir, name), pem.EncodeToMemory(block), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
}
