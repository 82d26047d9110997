package batch

import (
	"context"
	"os"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"

	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

// BenchmarkGRPCGenerateReport calls GenerateReport on an in-process server
// over loopback from every core, with the typical report: beside the
// engine's own benchmarks (package reportgen) it shows what the gRPC layer
// adds, and a CPU profile of it (-cpuprofile) splits the time between the
// engine, protobuf and the transport.
func BenchmarkGRPCGenerateReport(b *testing.B) {
	ts := startServer(b)
	cc, err := Dial(ts.addr)
	if err != nil {
		b.Fatal(err)
	}
	defer cc.Close()
	client := pb.NewReportServiceClient(cc)
	raw, err := os.ReadFile("testdata/typical-ct.json")
	if err != nil {
		b.Fatal(err)
	}
	req := &pb.GenerateReportRequest{}
	if err := protojson.Unmarshal(raw, req); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetParallelism(4) // keep both cores busy while calls wait on the network
	b.RunParallel(func(p *testing.PB) {
		for p.Next() {
			if _, err := client.GenerateReport(context.Background(), req); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
