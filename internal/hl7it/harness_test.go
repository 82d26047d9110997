package hl7it

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const schemaDir = "../../schemas/synced"

// python is Debian's interpreter, which has python3-hl7 (another python
// first on PATH may not).
const python = "/usr/bin/python3"

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "reportgen-hl7it-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "reportgen")
	if out, err := exec.Command("go", "build", "-o", binary, "../../cmd/reportgen").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// logLine is one JSON log line of the server.
type logLine struct {
	Msg, Addr, Metrics, Sink, Err string
}

// server is a running reportgen serve.
type server struct {
	cmd              *exec.Cmd
	mllp, metricsURL string
	mu               sync.Mutex
	logs             bytes.Buffer
	lines            chan logLine
}

// serve starts reportgen serve with an MLLP listener and metrics, and
// waits until both listen.
func serve(t *testing.T, state string, args ...string) *server {
	t.Helper()
	all := append([]string{"serve", "--listen", "127.0.0.1:0", "--schemas", schemaDir, "--mllp-listen", "127.0.0.1:0",
		"--hl7-state", state, "--metrics-listen", "127.0.0.1:0"}, args...)
	cmd := exec.Command(binary, all...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, lines: make(chan logLine, 1000)}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			s.mu.Lock()
			s.logs.Write(sc.Bytes())
			s.logs.WriteByte('\n')
			s.mu.Unlock()
			var l logLine
			if json.Unmarshal(sc.Bytes(), &l) == nil {
				select {
				case s.lines <- l:
				default:
				}
			}
		}
		close(s.lines)
	}()
	deadline := time.After(60 * time.Second)
	for s.mllp == "" || s.metricsURL == "" {
		select {
		case l, ok := <-s.lines:
			if !ok {
				t.Fatalf("server exited:\n%s", s.log())
			}
			switch l.Msg {
			case "mllp serving":
				s.mllp = l.Addr
			case "serving":
				s.metricsURL = "http://" + l.Metrics + "/metrics"
			}
		case <-deadline:
			t.Fatalf("server not serving within 60 s:\n%s", s.log())
		}
	}
	return s
}

func (s *server) log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logs.String()
}

// kill ends the server with SIGKILL: no chance to finish anything.
func (s *server) kill(t *testing.T) {
	t.Helper()
	s.cmd.Process.Signal(syscall.SIGKILL)
	s.cmd.Wait()
}

// metric returns the sum of the samples of a metric whose labels contain
// all of want (e.g. `sink="stow"`).
func (s *server) metric(t *testing.T, name string, want ...string) float64 {
	t.Helper()
	resp, err := http.Get(s.metricsURL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	sum := 0.0
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(line, name+"{") && !strings.HasPrefix(line, name+" ") {
			continue
		}
		ok := true
		for _, w := range want {
			ok = ok && strings.Contains(line, w)
		}
		if !ok {
			continue
		}
		var v float64
		fmt.Sscanf(line[strings.LastIndexByte(line, ' ')+1:], "%g", &v)
		sum += v
	}
	return sum
}

// ack is one answer as python-hl7 read it.
type ack struct {
	File, Code, Control, Version, Ack string
	Errors                            []struct{ ELD, ERL, Severity, Rule string }
}

// send sends the files in order on one connection with python-hl7.
func send(t *testing.T, addr string, files ...string) []ack {
	t.Helper()
	host, port, _ := net.SplitHostPort(addr)
	out, err := exec.Command(python, append([]string{"testdata/send.py", host, port}, files...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("python-hl7 sender: %v\n%s", err, out)
	}
	var acks []ack
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var a ack
		if err := json.Unmarshal([]byte(line), &a); err != nil {
			t.Fatalf("sender output %q: %v", line, err)
		}
		acks = append(acks, a)
	}
	if len(acks) != len(files) {
		t.Fatalf("%d answers for %d messages", len(acks), len(files))
	}
	return acks
}

// receiver starts the python-hl7 downstream receiver and returns its
// address; what it receives lands in dir.
func receiver(t *testing.T, dir string, failFirst int) string {
	t.Helper()
	cmd := exec.Command(python, "testdata/receive.py", dir, "--fail-first", fmt.Sprint(failFirst))
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("python-hl7 receiver: %v", err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("python-hl7 receiver did not start: %v", err)
	}
	return "127.0.0.1:" + strings.TrimSpace(line)
}

// freePort returns a loopback port nothing listens on now.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// orthanc is Debian's Orthanc with its DICOMweb plugin, run on a loopback
// port with a configuration of the test's own.
type orthanc struct {
	cmd  *exec.Cmd
	port int
	dir  string
	url  string
}

func orthancPlugin(t *testing.T) string {
	t.Helper()
	for _, pat := range []string{"/usr/share/orthanc/plugins/libOrthancDicomWeb.so", "/usr/lib/orthanc/libOrthancDicomWeb.so*"} {
		if m, _ := filepath.Glob(pat); len(m) > 0 {
			return m[0]
		}
	}
	t.Fatal("the Orthanc DICOMweb plugin is not installed: run scripts/setup.sh (Debian package orthanc-dicomweb)")
	return ""
}

func startOrthanc(t *testing.T, port int, dir string) *orthanc {
	t.Helper()
	bin, err := exec.LookPath("Orthanc")
	if err != nil {
		bin = "/usr/sbin/Orthanc"
		if _, err := os.Stat(bin); err != nil {
			t.Fatal("Orthanc is not installed: run scripts/setup.sh (Debian package orthanc)")
		}
	}
	cfg := map[string]any{
		"Name": "reportgen-test", "StorageDirectory": filepath.Join(dir, "db"), "IndexDirectory": filepath.Join(dir, "db"),
		"HttpPort": port, "RemoteAccessAllowed": false, "AuthenticationEnabled": false,
		"DicomServerEnabled": false, "StorageCompression": false,
		"Plugins":  []string{orthancPlugin(t)},
		"DicomWeb": map[string]any{"Enable": true, "Root": "/dicom-web/"},
	}
	b, _ := json.Marshal(cfg)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "orthanc.json")
	if err := os.WriteFile(conf, b, 0o644); err != nil {
		t.Fatal(err)
	}
	logf, _ := os.Create(filepath.Join(dir, fmt.Sprintf("orthanc-%d.log", time.Now().UnixNano())))
	cmd := exec.Command(bin, conf)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	o := &orthanc{cmd: cmd, port: port, dir: dir, url: fmt.Sprintf("http://127.0.0.1:%d", port)}
	t.Cleanup(o.stop)
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(o.url + "/system")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return o
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("Orthanc did not start within 60 s; see %s", logf.Name())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (o *orthanc) stop() {
	if o.cmd.ProcessState == nil {
		o.cmd.Process.Signal(syscall.SIGTERM)
		o.cmd.Wait()
	}
}

// instances is the number of instances Orthanc holds.
func (o *orthanc) instances(t *testing.T) int {
	t.Helper()
	resp, err := http.Get(o.url + "/instances")
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	var ids []string
	json.NewDecoder(resp.Body).Decode(&ids)
	return len(ids)
}

// wadoInstance retrieves one instance with WADO-RS and returns the bytes
// of its one part.
func (o *orthanc) wadoInstance(t *testing.T, study, series, sop string) []byte {
	t.Helper()
	req, _ := http.NewRequest("GET", fmt.Sprintf("%s/dicom-web/studies/%s/series/%s/instances/%s", o.url, study, series, sop), nil)
	req.Header.Set("Accept", `multipart/related; type="application/dicom"`)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("WADO-RS: HTTP %d", resp.StatusCode)
	}
	_, params, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	part, err := multipart.NewReader(resp.Body, params["boundary"]).NextPart()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(part)
	return b
}

// tags returns Orthanc's own reading of an instance (its simplified
// tags), found by SOP Instance UID.
func (o *orthanc) tags(t *testing.T, sop string) map[string]any {
	t.Helper()
	resp, err := http.Post(o.url+"/tools/lookup", "text/plain", strings.NewReader(sop))
	if err != nil {
		t.Fatal(err)
	}
	var found []struct{ ID, Type string }
	json.NewDecoder(resp.Body).Decode(&found)
	resp.Body.Close()
	if len(found) != 1 || found[0].Type != "Instance" {
		t.Fatalf("Orthanc lookup of an SR: %v", found)
	}
	resp, err = http.Get(o.url + "/instances/" + found[0].ID + "/simplified-tags")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	tags := map[string]any{}
	json.NewDecoder(resp.Body).Decode(&tags)
	return tags
}

// waitFor polls cond until it holds.
func waitFor(t *testing.T, what string, limit time.Duration, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > limit {
			t.Fatalf("timed out after %v waiting for %s", limit, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return time.Since(start)
}

// messages writes variations of the example ORU (control id and
// accession number) to files.
func messages(t *testing.T, dir string, controls ...string) []string {
	t.Helper()
	src, err := os.ReadFile("../../examples/oru-ct-chest.hl7")
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for i, c := range controls {
		m := strings.ReplaceAll(string(src), "\n", "\r")
		m = strings.Replace(m, "|MSG00001|", "|"+c+"|", 1)
		m = strings.ReplaceAll(m, "ACC20261121042", fmt.Sprintf("ACC%011d", i+1))
		files = append(files, write(t, dir, c+".hl7", []byte(m)))
	}
	return files
}

func write(t *testing.T, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// srUIDs reads the study, series and SOP instance UIDs of an SR with
// dcmtk's dcmdump.
func srUIDs(t *testing.T, path string) (study, series, sop string) {
	t.Helper()
	out, err := exec.Command("dcmdump", "+P", "0020,000d", "+P", "0020,000e", "+P", "0008,0018", path).Output()
	if err != nil {
		t.Fatalf("dcmdump: %v", err)
	}
	first := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		a, b := strings.IndexByte(line, '['), strings.IndexByte(line, ']')
		if len(line) < 11 || a < 0 || b < a {
			continue
		}
		if _, seen := first[line[:11]]; !seen {
			first[line[:11]] = line[a+1 : b]
		}
	}
	study, series, sop = first["(0020,000d)"], first["(0020,000e)"], first["(0008,0018)"]
	if study == "" || series == "" || sop == "" {
		t.Fatalf("dcmdump found %v", first)
	}
	return study, series, sop
}
