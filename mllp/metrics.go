package mllp

import "github.com/prometheus/client_golang/prometheus"

// Metrics count the server's connections and frames. Labels are fixed
// outcomes, never message data.
type Metrics struct {
	open     prometheus.Gauge
	refusals prometheus.Counter
	frames   *prometheus.CounterVec
}

// NewMetrics registers the metrics in reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		open: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "reportgen_mllp_connections", Help: "MLLP connections open now.",
		}),
		refusals: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "reportgen_mllp_connections_refused_total", Help: "MLLP connections closed at once because the connection limit was reached.",
		}),
		frames: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "reportgen_mllp_frames_total", Help: "MLLP frames by outcome: ok, too_large, incomplete (connection dropped inside it), timeout.",
		}, []string{"outcome"}),
	}
	reg.MustRegister(m.open, m.refusals, m.frames)
	return m
}

func (m *Metrics) connOpened() {
	if m != nil {
		m.open.Inc()
	}
}

func (m *Metrics) connClosed() {
	if m != nil {
		m.open.Dec()
	}
}

func (m *Metrics) refused() {
	if m != nil {
		m.refusals.Inc()
	}
}

func (m *Metrics) frame(outcome string) {
	if m != nil {
		m.frames.WithLabelValues(outcome).Inc()
	}
}
