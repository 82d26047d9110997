package server

import (
	"context"
	"log/slog"
	"runtime/debug"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// unaryLog logs each call's method, status code and duration: never the
// request or response, which carry patient data.
func unaryLog(log *slog.Logger) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		start := time.Now()
		ctx = withRequestID(ctx)
		resp, err := h(ctx, req)
		log.LogAttrs(ctx, level(err), "call", slog.String("method", info.FullMethod),
			slog.String("code", status.Code(err).String()), slog.Float64("ms", float64(time.Since(start).Microseconds())/1000))
		return resp, err
	}
}

func streamLog(log *slog.Logger) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
		start := time.Now()
		ss = idStream{ServerStream: ss, ctx: withRequestID(ss.Context())}
		err := h(srv, ss)
		log.LogAttrs(ss.Context(), level(err), "stream", slog.String("method", info.FullMethod),
			slog.String("code", status.Code(err).String()), slog.Float64("ms", float64(time.Since(start).Microseconds())/1000))
		return err
	}
}

func level(err error) slog.Level {
	switch status.Code(err) {
	case codes.OK, codes.InvalidArgument, codes.Canceled, codes.NotFound:
		return slog.LevelInfo
	}
	return slog.LevelWarn
}

// unaryRecover turns a panic into INTERNAL and logs the stack. Input must
// never cause a panic; this keeps one defect from taking down every call
// in flight.
func unaryRecover(log *slog.Logger) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (resp any, err error) {
		defer func() {
			if r := recover(); r != nil {
				log.ErrorContext(ctx, "panic", "method", info.FullMethod, "stack", string(debug.Stack()))
				err = status.Error(codes.Internal, "internal error")
			}
		}()
		return h(ctx, req)
	}
}

func streamRecover(log *slog.Logger) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) (err error) {
		defer func() {
			if r := recover(); r != nil {
				log.ErrorContext(ss.Context(), "panic", "method", info.FullMethod, "stack", string(debug.Stack()))
				err = status.Error(codes.Internal, "internal error")
			}
		}()
		return h(srv, ss)
	}
}
