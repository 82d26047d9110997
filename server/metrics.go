package server

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/reportgen/reportgen/issue"
)

// Metrics are the service's Prometheus metrics. Labels are methods, status
// codes, document kinds and rule ids: small fixed sets, never request data.
type Metrics struct {
	reg        *prometheus.Registry
	requests   *prometheus.CounterVec
	latency    *prometheus.HistogramVec
	inflight   prometheus.Gauge
	validation *prometheus.CounterVec
	rejected   prometheus.Counter
	// reports and reportLatency count each report rendered, whatever the
	// call carried it: a stream of 10,000 requests is one call but 10,000
	// reports, and a per-call view alone would hide its rate and latency.
	reports       *prometheus.CounterVec
	reportLatency *prometheus.HistogramVec
}

// Report sources: how a report reached the engine.
const (
	sourceUnary  = "unary"  // GenerateReport (gRPC or HTTP/JSON)
	sourceStream = "stream" // one request of GenerateReports
	sourceHL7    = "hl7"    // GenerateReportFromHL7
)

// NewMetrics registers the metrics (and the Go runtime and process
// collectors) in a registry of their own.
func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "reportgen_grpc_requests_total",
			Help: "gRPC calls by method and status code.",
		}, []string{"method", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "reportgen_grpc_request_duration_seconds",
			Help:    "gRPC call latency by method (for streams: the whole stream).",
			Buckets: []float64{.001, .002, .004, .008, .016, .032, .064, .128, .256, .512, 1, 2, 5, 10, 30},
		}, []string{"method"}),
		inflight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "reportgen_grpc_inflight_calls",
			Help: "Calls being served now.",
		}),
		validation: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "reportgen_validation_failures_total",
			Help: "Validation errors by document kind, origin (generated or submitted) and rule id.",
		}, []string{"kind", "origin", "rule"}),
		rejected: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "reportgen_overload_rejections_total",
			Help: "Calls refused with RESOURCE_EXHAUSTED because the concurrency limit was reached.",
		}),
		reports: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "reportgen_reports_total",
			Help: "Reports rendered, one per request whatever call carried it, by source (unary, stream, hl7) and outcome (a gRPC status code).",
		}, []string{"source", "code"}),
		reportLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "reportgen_report_duration_seconds",
			Help:    "Time to render and validate one report, by source; for streams each request on its own.",
			Buckets: []float64{.0005, .001, .002, .004, .008, .016, .032, .064, .128, .256, .512, 1, 2, 5},
		}, []string{"source"}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.inflight, m.validation, m.rejected, m.reports, m.reportLatency,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// countValidation counts the error issues of one document by rule id.
func (m *Metrics) countValidation(kind, origin string, l issue.List) {
	if m == nil {
		return
	}
	for _, i := range l {
		if i.Severity == issue.Error {
			m.validation.WithLabelValues(kind, origin, i.RuleID).Inc()
		}
	}
}

// report counts one report of source that took from start until now and
// ended with code.
func (m *Metrics) report(source string, start time.Time, code codes.Code) {
	if m == nil {
		return
	}
	m.reports.WithLabelValues(source, code.String()).Inc()
	m.reportLatency.WithLabelValues(source).Observe(time.Since(start).Seconds())
}

func (m *Metrics) unary() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		m.inflight.Inc()
		defer m.inflight.Dec()
		start := time.Now()
		resp, err := h(ctx, req)
		m.observe(info.FullMethod, start, err)
		return resp, err
	}
}

func (m *Metrics) stream() grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
		m.inflight.Inc()
		defer m.inflight.Dec()
		start := time.Now()
		err := h(srv, ss)
		m.observe(info.FullMethod, start, err)
		return err
	}
}

func (m *Metrics) observe(method string, start time.Time, err error) {
	m.requests.WithLabelValues(method, status.Code(err).String()).Inc()
	m.latency.WithLabelValues(method).Observe(time.Since(start).Seconds())
}
