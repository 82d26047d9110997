package server

import (
	"context"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// concurrencyLimit refuses calls beyond max with RESOURCE_EXHAUSTED at
// once, instead of queueing them until every call is slow: a client (or
// its load balancer) can retry elsewhere. Streams count as one call each;
// their own in-flight requests are bounded by Limits.StreamInFlight.
type concurrencyLimit struct {
	slots   chan struct{}
	metrics *Metrics
}

func newConcurrencyLimit(max int, m *Metrics) *concurrencyLimit {
	if max <= 0 {
		return nil
	}
	return &concurrencyLimit{slots: make(chan struct{}, max), metrics: m}
}

var errOverloaded = status.Error(codes.ResourceExhausted, "server is at its concurrency limit; retry with backoff")

func (l *concurrencyLimit) acquire() bool {
	select {
	case l.slots <- struct{}{}:
		return true
	default:
		if l.metrics != nil {
			l.metrics.rejected.Inc()
		}
		return false
	}
}

func (l *concurrencyLimit) unary() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		if exempt(info.FullMethod) {
			return h(ctx, req)
		}
		if !l.acquire() {
			return nil, errOverloaded
		}
		defer func() { <-l.slots }()
		return h(ctx, req)
	}
}

func (l *concurrencyLimit) stream() grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
		if exempt(info.FullMethod) {
			return h(srv, ss)
		}
		if !l.acquire() {
			return errOverloaded
		}
		defer func() { <-l.slots }()
		return h(srv, ss)
	}
}

// exempt lists the methods that are never refused or authenticated:
// health checks must answer under load, or the orchestrator kills a
// replica that is merely busy.
func exempt(method string) bool {
	return method == "/grpc.health.v1.Health/Check" || method == "/grpc.health.v1.Health/Watch" || method == "/grpc.health.v1.Health/List"
}

// streamsPerConnection is the HTTP/2 limit on the open streams of one
// connection (SETTINGS_MAX_CONCURRENT_STREAMS) for a call limit of
// maxCalls; 0 leaves grpc-go's default (no limit). The call limit alone
// does not bound memory: a call leaves it when its handler returns, but
// its response stays queued in the transport until the client reads it,
// and a client that sends faster than it reads (an open-loop load, a
// client short of CPU) made the server hold thousands of responses. A
// stream stays open until the client has its response, so this bounds
// them per connection. Twice the call limit, plus room for health checks,
// keeps calls over the call limit refused with RESOURCE_EXHAUSTED rather
// than queued in the client.
func streamsPerConnection(maxCalls int) uint32 {
	if maxCalls <= 0 {
		return 0
	}
	// Capped before doubling, so no call limit overflows the sum.
	return uint32(2*min(maxCalls, 1<<19) + 16)
}
