package intake

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics count messages by ACK code and time them. Labels are ACK codes
// and rule ids only.
type metrics struct {
	messages   *prometheus.CounterVec
	duplicates prometheus.Counter
	problems   *prometheus.CounterVec
	latency    prometheus.Histogram
}

func newMetrics() *metrics {
	return &metrics{
		messages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "reportgen_hl7_messages_total", Help: "HL7 v2 messages answered, by ACK code (AA, AE, AR).",
		}, []string{"ack"}),
		duplicates: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "reportgen_hl7_duplicates_total", Help: "Resent HL7 v2 messages answered with the stored ACK.",
		}),
		problems: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "reportgen_hl7_problems_total", Help: "Errors and warnings reported in ACKs, by severity and rule.",
		}, []string{"severity", "rule"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "reportgen_hl7_ack_seconds",
			Help:    "Time from reading an HL7 v2 message to its ACK.",
			Buckets: []float64{.001, .002, .004, .008, .016, .032, .064, .128, .256, .512, 1, 2, 5, 10},
		}),
	}
}

func (m *metrics) register(reg prometheus.Registerer) error {
	for _, c := range []prometheus.Collector{m.messages, m.duplicates, m.problems, m.latency} {
		if err := reg.Register(c); err != nil {
			return err
		}
	}
	return nil
}

func (m *metrics) observe(r *Result, d time.Duration) {
	m.messages.WithLabelValues(string(r.Code)).Inc()
	if r.Duplicate {
		m.duplicates.Inc()
	}
	for _, p := range r.Problems {
		m.problems.WithLabelValues(string(p.Severity), p.Rule).Inc()
	}
	if d > 0 {
		m.latency.Observe(d.Seconds())
	}
}
