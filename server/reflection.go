package server

import (
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/descriptorpb"
)

// Reflection methods: they describe the API (the same .proto files the
// project publishes), never data, so they need no bearer token, and a
// tool like grpcurl can reach the health service without one.
const (
	reflectionV1      = "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo"
	reflectionV1Alpha = "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"
)

func isReflection(method string) bool { return method == reflectionV1 || method == reflectionV1Alpha }

// reflectionOrder puts the files of every reflection answer in an order a
// client can register one by one: the file asked for first (clients take
// the first file as the answer), and every file before the files it
// imports, so the reversed list has each import before its importers.
// grpc-go answers breadth first, and with a diamond (service.proto imports
// common.proto and report.proto, which imports common.proto too) the
// reversed breadth-first list puts report.proto before common.proto: a
// client registering files in that order cannot resolve report.proto.
func reflectionOrder() grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
		if !isReflection(info.FullMethod) {
			return h(srv, ss)
		}
		return h(srv, orderedStream{ss})
	}
}

type orderedStream struct{ grpc.ServerStream }

// SendMsg reorders the files of a FileDescriptorResponse. v1 and v1alpha
// answers have the same fields, so they are read by field name alike.
func (s orderedStream) SendMsg(m any) error {
	if pm, ok := m.(proto.Message); ok {
		reorderFiles(pm.ProtoReflect())
	}
	return s.ServerStream.SendMsg(m)
}

func reorderFiles(m protoreflect.Message) {
	resp := m.Descriptor().Fields().ByName("file_descriptor_response")
	if resp == nil || resp.Message() == nil || !m.Has(resp) {
		return
	}
	inner := m.Get(resp).Message()
	fd := inner.Descriptor().Fields().ByName("file_descriptor_proto")
	if fd == nil || !fd.IsList() || fd.Kind() != protoreflect.BytesKind {
		return
	}
	list := inner.Mutable(fd).List()
	files := make([][]byte, list.Len())
	for i := range files {
		files[i] = list.Get(i).Bytes()
	}
	for i, b := range importersFirst(files) {
		list.Set(i, protoreflect.ValueOfBytes(b))
	}
}

// importersFirst orders serialized FileDescriptorProtos so that the first
// stays first and every file comes before the files of the list it
// imports: the reverse of a depth-first post-order. A file that does not
// parse leaves the list as it was.
func importersFirst(files [][]byte) [][]byte {
	if len(files) < 2 {
		return files
	}
	index := make(map[string]int, len(files))
	deps := make([][]string, len(files))
	for i, b := range files {
		fd := &descriptorpb.FileDescriptorProto{}
		if err := proto.Unmarshal(b, fd); err != nil {
			return files
		}
		index[fd.GetName()] = i
		deps[i] = fd.GetDependency()
	}
	seen := make([]bool, len(files))
	post := make([]int, 0, len(files))
	var visit func(i int)
	visit = func(i int) {
		seen[i] = true
		for _, d := range deps[i] {
			if j, ok := index[d]; ok && !seen[j] {
				visit(j)
			}
		}
		post = append(post, i)
	}
	for i := range files {
		if !seen[i] {
			visit(i)
		}
	}
	out := make([][]byte, 0, len(files))
	out = append(out, files[0]) // nothing in the list imports the file asked for
	for k := len(post) - 1; k >= 0; k-- {
		if post[k] != 0 {
			out = append(out, files[post[k]])
		}
	}
	return out
}
