package server_test

import (
	"testing"

	"google.golang.org/grpc"
	v1 "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"

	"github.com/reportgen/reportgen/server"
)

// reflectFiles asks one reflection stream (v1 or v1alpha) for the file
// that defines symbol and returns the files of the answer, in order. The
// two versions have the same messages on the wire, so v1alpha is called
// by its method name with the v1 types.
func reflectFiles(t *testing.T, addr string, alpha bool, symbol string) []*descriptorpb.FileDescriptorProto {
	t.Helper()
	method := "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo"
	if alpha {
		method = "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"
	}
	s, err := dial(t, addr).NewStream(ctx(t), &grpc.StreamDesc{ServerStreams: true, ClientStreams: true}, method)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SendMsg(&v1.ServerReflectionRequest{MessageRequest: &v1.ServerReflectionRequest_FileContainingSymbol{FileContainingSymbol: symbol}}); err != nil {
		t.Fatal(err)
	}
	r := &v1.ServerReflectionResponse{}
	if err := s.RecvMsg(r); err != nil {
		t.Fatalf("%s: %v", method, err)
	}
	var files []*descriptorpb.FileDescriptorProto
	for _, b := range r.GetFileDescriptorResponse().GetFileDescriptorProto() {
		fd := &descriptorpb.FileDescriptorProto{}
		if err := proto.Unmarshal(b, fd); err != nil {
			t.Fatal(err)
		}
		files = append(files, fd)
	}
	return files
}

// TestReflectionOrder: the answer for the service starts with
// service.proto, lists every file before the files it imports (so the
// reversed list resolves one file at a time, the diamond
// service → report → common, service → common included), and needs no
// bearer token.
func TestReflectionOrder(t *testing.T) {
	f := startWith(t, server.DefaultLimits(), server.WithBearerTokens([]string{"s3cret-token"}))
	for _, alpha := range []bool{false, true} {
		files := reflectFiles(t, f.addr, alpha, "reportgen.v1.ReportService")
		if len(files) < 3 || files[0].GetName() != "reportgen/v1/service.proto" {
			t.Fatalf("alpha=%v: first file %q of %d, want reportgen/v1/service.proto first", alpha, files[0].GetName(), len(files))
		}
		pos := map[string]int{}
		for i, fd := range files {
			pos[fd.GetName()] = i
		}
		for i, fd := range files {
			for _, dep := range fd.GetDependency() {
				if j, ok := pos[dep]; ok && j < i {
					t.Errorf("alpha=%v: %s (at %d) comes after its import %s (at %d)", alpha, fd.GetName(), i, dep, j)
				}
			}
		}
		// A client that registers the reversed list file by file, as
		// @bufbuild/protobuf's createFileRegistry does, finds every import.
		reg := &protoregistry.Files{}
		for i := len(files) - 1; i >= 0; i-- {
			fd, err := protodesc.NewFile(files[i], reg)
			if err != nil {
				t.Fatalf("alpha=%v: registering %s in reversed order: %v", alpha, files[i].GetName(), err)
			}
			if err := reg.RegisterFile(fd); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := reg.FindDescriptorByName("reportgen.v1.ReportService.GenerateReport"); err != nil {
			t.Errorf("alpha=%v: %v", alpha, err)
		}
	}
}
