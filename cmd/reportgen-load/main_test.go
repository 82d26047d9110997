package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"os"
	"strconv"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protojson"

	"github.com/reportgen/reportgen"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
	"github.com/reportgen/reportgen/schemas/ucum"
	"github.com/reportgen/reportgen/server"
)

func TestInts(t *testing.T) {
	tests := []struct {
		in      string
		want    []int
		wantErr bool
	}{
		{"", nil, false},
		{"1,2, 4", []int{1, 2, 4}, false},
		{"1,,8", []int{1, 8}, false},
		{"0", nil, true},
		{"x", nil, true},
	}
	for _, tt := range tests {
		got, err := ints(tt.in)
		if (err != nil) != tt.wantErr || len(got) != len(tt.want) {
			t.Errorf("ints(%q) = %v, %v", tt.in, got, err)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("ints(%q) = %v, want %v", tt.in, got, tt.want)
			}
		}
	}
}

func TestPercentile(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	for _, tt := range []struct {
		q    float64
		want float64
	}{{0.5, 50}, {0.99, 99}, {1, 100}, {0, 1}} {
		if got := pctl(d, tt.q); got != tt.want {
			t.Errorf("pctl(%v) = %v, want %v", tt.q, got, tt.want)
		}
	}
	if pctl(nil, 0.5) != 0 {
		t.Error("pctl of nothing")
	}
}

// TestLoadAgainstServer runs two short levels against an in-process server
// and reads this process's own memory as the server's.
func TestLoadAgainstServer(t *testing.T) {
	e, err := reportgen.New(reportgen.Config{SchemaDir: "../../schemas/synced"})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv, _ := server.New(e, slog.New(slog.NewTextHandler(io.Discard, nil)), server.DefaultLimits())
	go srv.Serve(lis)
	defer srv.Stop()

	for _, mode := range []string{"unary", "stream"} {
		t.Run(mode, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run([]string{"--addr", lis.Addr().String(), "--pid", strconv.Itoa(os.Getpid()), "--request", "../../batch/testdata/typical-ct.json",
				"--mode", mode, "--concurrency", "2", "--rate", "20", "--duration", "300ms", "--warmup", "50ms", "--format", "json"}, &out, &errb)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errb.String())
			}
			var levels []level
			if err := json.Unmarshal(out.Bytes(), &levels); err != nil {
				t.Fatalf("%v: %s", err, out.String())
			}
			if len(levels) != 2 {
				t.Fatalf("%d levels, want 2", len(levels))
			}
			for _, l := range levels {
				if l.Reports == 0 || l.Errors != 0 || l.P50 <= 0 || l.P99 < l.P50 || l.ServerHWM == 0 {
					t.Errorf("level %+v", l)
				}
			}
		})
	}
}

func TestMakeJSONL(t *testing.T) {
	// The tool runs from the repository root; so does this check.
	t.Chdir("../..")
	var out, errb bytes.Buffer
	if code := run([]string{"--make-jsonl", "9"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	s := bufio.NewScanner(&out)
	s.Buffer(nil, 1<<20)
	units, err := ucum.Load("schemas/synced")
	if err != nil {
		t.Fatalf("%v (sync the schemas: bash scripts/setup.sh)", err)
	}
	ids := map[string]bool{}
	for s.Scan() {
		r := &pb.GenerateReportRequest{}
		if err := protojson.Unmarshal(s.Bytes(), r); err != nil {
			t.Fatal(err)
		}
		if v := reportgen.Check(r, time.Now(), units); v != nil {
			t.Errorf("%s is not a valid request: %v", r.GetRequestId(), v)
		}
		ids[r.GetRequestId()+r.GetReport().GetStudy().GetAccessionNumber()] = true
	}
	if len(ids) != 9 {
		t.Errorf("%d distinct requests, want 9", len(ids))
	}
}
