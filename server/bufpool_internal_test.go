package server

import (
	"bytes"
	"testing"

	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/proto"

	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
)

// TestMessagePoolFitsMessages checks that the buffer a message gets is
// never more than twice its size, in particular for responses just over
// grpc-go's default 32 KiB tier, which got a 1 MiB buffer each.
func TestMessagePoolFitsMessages(t *testing.T) {
	for _, size := range []int{1 << 10, 32<<10 + 1, 40 << 10, 300 << 10, 1<<20 + 1, 4 << 20} {
		b := messagePool.Get(size)
		if len(*b) != size || cap(*b) > 2*size {
			t.Errorf("Get(%d): len %d cap %d, want len %d and cap <= %d", size, len(*b), cap(*b), size, 2*size)
		}
		messagePool.Put(b)
	}
}

// TestMessageCodecRoundTrip marshals a small and a pooled-size message
// and reads each back from the buffers as gRPC hands them over: whole,
// and split into frames. The pooled buffer must hold exactly the
// message's bytes.
func TestMessageCodecRoundTrip(t *testing.T) {
	for _, size := range []int{100, 40 << 10, 1<<20 + 3} {
		in := &pb.GenerateReportResponse{Documents: []*pb.Document{{Content: bytes.Repeat([]byte("<x/>"), size/4)}}}
		out, err := messageCodec{}.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		if out.Len() != proto.Size(in) {
			t.Errorf("size %d: marshalled %d bytes, want %d", size, out.Len(), proto.Size(in))
		}
		whole := out.Materialize()
		for _, frames := range []int{1, 3} {
			var slice mem.BufferSlice
			step := (len(whole) + frames - 1) / frames
			for i := 0; i < len(whole); i += step {
				slice = append(slice, mem.SliceBuffer(whole[i:min(i+step, len(whole))]))
			}
			got := &pb.GenerateReportResponse{}
			if err := (messageCodec{}).Unmarshal(slice, got); err != nil {
				t.Fatal(err)
			}
			if !proto.Equal(got, in) {
				t.Errorf("size %d, %d frames: the message read back differs", size, frames)
			}
		}
		out.Free()
	}
	if _, err := (messageCodec{}).Marshal("not a message"); err == nil {
		t.Error("Marshal took a string")
	}
}
