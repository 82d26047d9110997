package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/encoding/protojson"

	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

func siteTemplate(id, title string) string {
	return fmt.Sprintf(`{
  "format": "reportgen-template/1",
  "id": %q,
  "version": "1",
  "extends": "generic",
  "title": %q
}
`, id, title)
}

// buildBinary builds the reportgen binary once per test.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "reportgen")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

// logRecord is one JSON log line of the server.
type logRecord struct {
	Msg, Addr, Err string
	Templates      int
}

// serverProc is a running reportgen serve whose log lines arrive on logs.
type serverProc struct {
	cmd  *exec.Cmd
	logs chan logRecord
}

func startServer(t *testing.T, bin string, args ...string) *serverProc {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--listen", "127.0.0.1:0", "--schemas", schemaDir}, args...)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	s := &serverProc{cmd: cmd, logs: make(chan logRecord, 100)}
	go func() {
		defer close(s.logs)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			var rec logRecord
			if json.Unmarshal(sc.Bytes(), &rec) == nil {
				s.logs <- rec
			}
		}
	}()
	return s
}

// waitLog returns the first log record with the message.
func (s *serverProc) waitLog(t *testing.T, msg string) logRecord {
	t.Helper()
	timeout := time.After(60 * time.Second)
	for {
		select {
		case rec, ok := <-s.logs:
			if !ok {
				t.Fatalf("server exited before logging %q", msg)
			}
			if rec.Msg == msg {
				return rec
			}
		case <-timeout:
			t.Fatalf("no %q log within 60 s", msg)
		}
	}
}

func templateIDs(t *testing.T, c pb.ReportServiceClient) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := c.ListTemplates(ctx, &pb.ListTemplatesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, ti := range resp.GetTemplates() {
		ids = append(ids, ti.GetId())
		if ti.GetVersion() == "" || ti.GetTitle() == "" || len(ti.GetSections()) == 0 {
			t.Errorf("ListTemplates: incomplete %v", ti)
		}
	}
	return ids
}

// TestServeReloadsTemplatesOnSIGHUP runs the real binary with a template
// directory, changes the directory and sends SIGHUP: ListTemplates shows
// the change; a broken change keeps the old set and is logged with file,
// line and rule; calls made meanwhile all succeed.
func TestServeReloadsTemplatesOnSIGHUP(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir := t.TempDir()
	write := func(name, src string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("site-a.json", siteTemplate("site-a", "Site A"))
	s := startServer(t, buildBinary(t), "--templates", dir)
	if rec := s.waitLog(t, "templates loaded"); rec.Templates != 8 {
		t.Errorf("loaded %d templates, want 8", rec.Templates)
	}
	addr := s.waitLog(t, "serving").Addr
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	client := pb.NewReportServiceClient(conn)
	if ids := templateIDs(t, client); !slices.Contains(ids, "site-a") {
		t.Fatalf("templates %v lack site-a", ids)
	}

	// Calls keep flowing through the reloads.
	b, err := os.ReadFile("../../examples/mr-brain.json")
	if err != nil {
		t.Fatal(err)
	}
	req := &pb.GenerateReportRequest{}
	if err := protojson.Unmarshal(b, req); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var calls, failed int
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			_, err := client.GenerateReport(ctx, req)
			cancel()
			calls++
			if err != nil {
				failed++
				t.Errorf("GenerateReport during reload: %v", err)
			}
		}
	})

	write("site-b.json", siteTemplate("site-b", "Site B"))
	if err := s.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	if rec := s.waitLog(t, "templates reloaded"); rec.Templates != 9 {
		t.Errorf("reloaded %d templates, want 9", rec.Templates)
	}
	if ids := templateIDs(t, client); !slices.Contains(ids, "site-a") || !slices.Contains(ids, "site-b") {
		t.Errorf("after reload: templates %v", ids)
	}

	// A broken file: the reload fails, is logged, and the set stays.
	write("site-c.json", "{\n  \"format\": \"reportgen-template/1\",\n  \"id\": \"site-c\",\n  \"version\": \"1\",\n  \"extends\": \"generic\",\n  \"sections\": [{\"kind\": \"FINDING\"}]\n}\n")
	if err := os.Remove(filepath.Join(dir, "site-a.json")); err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	rec := s.waitLog(t, "template reload failed; keeping the current templates")
	if !strings.Contains(rec.Err, "site-c.json:6:25") || !strings.Contains(rec.Err, "rule section-kind") {
		t.Errorf("reload error %q does not name the file, line and rule", rec.Err)
	}
	if ids := templateIDs(t, client); !slices.Contains(ids, "site-a") || !slices.Contains(ids, "site-b") || slices.Contains(ids, "site-c") {
		t.Errorf("after a failed reload: templates %v, want the previous set", ids)
	}

	close(stop)
	wg.Wait()
	if calls == 0 || failed > 0 {
		t.Errorf("%d calls during the reloads, %d failed", calls, failed)
	}
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	s.waitLog(t, "stopped")
}

// TestServeRefusesBrokenTemplates: a bad template directory stops the
// start with an error naming the file, line and rule.
func TestServeRefusesBrokenTemplates(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "bad.json"), []byte("{\n  \"format\": \"reportgen-template/1\",\n  \"id\": \"Bad\"\n}"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(buildBinary(t), "serve", "--listen", "127.0.0.1:0", "--schemas", schemaDir, "--templates", dir).CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != exitFailure {
		t.Fatalf("serve with a broken template: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "bad.json:3:9") || !strings.Contains(string(out), "rule id") {
		t.Errorf("start-up error does not name the file, line and rule:\n%s", out)
	}
}

func TestGenerateWithTemplates(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "site.json"), []byte(siteTemplate("site-a", "Site A Report")), 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("../../examples/mr-brain.json")
	if err != nil {
		t.Fatal(err)
	}
	req := &pb.GenerateReportRequest{}
	if err := protojson.Unmarshal(b, req); err != nil {
		t.Fatal(err)
	}
	req.TemplateId = "site-a"
	req.Report.Title = ""
	req.Report.Sections = nil
	req.Report.Dictation = "HISTORY: Headache.\nFINDINGS: Normal brain.\nIMPRESSION: Normal."
	in := filepath.Join(t.TempDir(), "dictated.json")
	jb, err := protojson.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(in, jb, 0o644); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	code, stdout, stderr := runCmd(t, "generate", "--schemas", schemaDir, "--templates", dir, "--out", out, in)
	if code != exitOK {
		t.Fatalf("generate exit %d\nstdout:%s\nstderr:%s", code, stdout, stderr)
	}
	for _, want := range []string{"template site-a", "dictation bytes 0-19: HISTORY", "dictation bytes 19-43: FINDINGS"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	cda, err := os.ReadFile(filepath.Join(out, "dictated.cda.xml"))
	if err != nil || !strings.Contains(string(cda), "<title>Site A Report</title>") {
		t.Errorf("CDA without the template's title: %v", err)
	}
	// Without the directory the template is unknown.
	if code, _, stderr := runCmd(t, "generate", "--schemas", schemaDir, "--out", out, in); code != exitInvalid || !strings.Contains(stderr, "template_id") {
		t.Errorf("generate without --templates: exit %d, stderr %s", code, stderr)
	}
}
