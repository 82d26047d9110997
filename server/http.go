package server

import (
	"fmt"
	"mime"
	"net/http"

	"connectrpc.com/connect"
	"connectrpc.com/vanguard"
	"connectrpc.com/vanguard/vanguardgrpc"
	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/reportgen/reportgen"
)

// Paths of the HTTP health endpoints, for load balancers and probes that
// speak plain HTTP.
const (
	// LivePath answers 200 while the process serves HTTP at all.
	LivePath = "/healthz"
	// ReadyPath answers 200 while the health service says SERVING, and 503
	// once shutdown has begun, so a load balancer drains the replica.
	ReadyPath = "/readyz"
)

// HTTPHandler serves the gRPC server's services over HTTP for clients
// that cannot speak gRPC (an integration engine's HTTP sender, curl): the
// Connect protocol (POST /reportgen.v1.ReportService/GenerateReport with
// Content-Type application/json and a protojson body, or
// application/proto), and gRPC-Web. Each call is transcoded to gRPC and
// handed to srv itself, so it passes the same interceptors as a gRPC call:
// bearer tokens, the concurrency limit, logs, metrics, the message size
// limit (l.MaxMessageBytes, with room for JSON's base64). TLS is the HTTP
// server's. It also serves LivePath and ReadyPath from h.
func HTTPHandler(srv *grpc.Server, h *health.Server, l Limits) (http.Handler, error) {
	// JSON carries bytes fields as base64: a third more than on the wire.
	limit := uint32(min(int64(l.MaxMessageBytes)/3*4+1<<20, 1<<31))
	tc, err := vanguardgrpc.NewTranscoder(srv,
		vanguard.WithDefaultServiceOptions(vanguard.WithMaxMessageBufferBytes(limit)),
		vanguard.WithCodec(func(res vanguard.TypeResolver) vanguard.Codec {
			return strictJSON{vanguard.JSONCodec{
				MarshalOptions:   protojson.MarshalOptions{Resolver: res, EmitUnpopulated: true},
				UnmarshalOptions: protojson.UnmarshalOptions{Resolver: res},
			}}
		}))
	if err != nil {
		return nil, fmt.Errorf("server: HTTP transcoder: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/", connectUnary(tc))
	mux.HandleFunc("GET "+LivePath, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET "+ReadyPath, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		resp, err := h.Check(r.Context(), &healthpb.HealthCheckRequest{})
		if err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("not serving\n"))
			return
		}
		_, _ = w.Write([]byte("serving\n"))
	})
	return mux, nil
}

// connectUnary marks a POST with a Connect unary content type as the
// Connect protocol. Connect makes the Connect-Protocol-Version header
// optional, and curl or an integration engine seldom sends it; without
// it the transcoder would take the call for REST, which this service does
// not map, and answer 404.
func connectUnary(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.Header.Get("Connect-Protocol-Version") == "" {
			switch mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt {
			case "application/json", "application/proto":
				r.Header.Set("Connect-Protocol-Version", "1")
			}
		}
		next.ServeHTTP(w, r)
	})
}

// strictJSON is the JSON codec of the HTTP face. Unknown fields are
// refused, as generate and batch refuse them: a misspelt field must not
// vanish from a report. A body that does not decode fails with
// INVALID_ARGUMENT and a message naming the position, not the values.
// Zero values are written, so a script finds "valid": false.
type strictJSON struct{ vanguard.JSONCodec }

func (c strictJSON) Unmarshal(b []byte, m proto.Message) error {
	if err := c.JSONCodec.Unmarshal(b, m); err != nil {
		return connect.NewError(connect.CodeInvalidArgument,
			fmt.Errorf("the body is not a %s in protojson: %s", m.ProtoReflect().Descriptor().FullName(), reportgen.DescribeJSONError(err, b)))
	}
	return nil
}
