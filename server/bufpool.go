package server

import (
	"fmt"

	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/proto"
)

// messagePool holds the buffers gRPC reads requests into and marshals
// responses into. grpc-go's default pool has no tier between 32 KiB and
// 1 MiB, and a typical response (a CDA and an SR, about 40 KB) is just
// over 32 KiB: each one took a zeroed 1 MiB buffer, held until the
// transport had written it. Under an open-loop overload that was most of
// the heap (hundreds of MB to GBs between collections) and a megabyte
// cleared per report. With every power of two from 256 B to 4 MiB a
// buffer is at most twice its message; larger messages (up to
// Limits.MaxMessageBytes) are allocated for the call, as grpc-go does past
// its largest tier.
var messagePool = func() mem.BufferPool {
	var sizes []int
	for s := 1 << 8; s <= 4<<20; s *= 2 {
		sizes = append(sizes, s)
	}
	return mem.NewTieredBufferPool(sizes...)
}()

// messageCodec is grpc-go's proto codec with messagePool: that codec
// marshals into mem.DefaultBufferPool whatever pool the server is given,
// and the default pool cannot be replaced from outside grpc-go.
type messageCodec struct{}

var _ encoding.CodecV2 = messageCodec{}

// Name is the content subtype of the codec, the one every gRPC client
// sends by default.
func (messageCodec) Name() string { return "proto" }

// Marshal encodes v into one pooled buffer, which the transport frees
// once written. Small messages skip the pool, as in grpc-go.
func (messageCodec) Marshal(v any) (mem.BufferSlice, error) {
	m, ok := v.(proto.Message)
	if !ok {
		return nil, fmt.Errorf("marshal: message is %T, want proto.Message", v)
	}
	// Size first, then marshal with the cached size: one sizing pass.
	size := proto.Size(m)
	opts := proto.MarshalOptions{UseCachedSize: true}
	if mem.IsBelowBufferPoolingThreshold(size) {
		b, err := opts.Marshal(m)
		if err != nil {
			return nil, fmt.Errorf("marshal %T: %w", v, err)
		}
		return mem.BufferSlice{mem.SliceBuffer(b)}, nil
	}
	buf := messagePool.Get(size)
	if _, err := opts.MarshalAppend((*buf)[:0], m); err != nil {
		messagePool.Put(buf)
		return nil, fmt.Errorf("marshal %T: %w", v, err)
	}
	return mem.BufferSlice{mem.NewBuffer(buf, messagePool)}, nil
}

// Unmarshal decodes a request that may have come in several frames.
func (messageCodec) Unmarshal(data mem.BufferSlice, v any) error {
	m, ok := v.(proto.Message)
	if !ok {
		return fmt.Errorf("unmarshal: message is %T, want proto.Message", v)
	}
	buf := data.MaterializeToBuffer(messagePool)
	defer buf.Free()
	if err := proto.Unmarshal(buf.ReadOnlyData(), m); err != nil {
		return fmt.Errorf("unmarshal %T: %w", v, err)
	}
	return nil
}
