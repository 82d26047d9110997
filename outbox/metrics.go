package outbox

import (
	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the outbox's Prometheus metrics. Labels are sink names and
// outcomes only.
type metrics struct {
	o          *Outbox
	depth      *prometheus.Desc
	oldest     *prometheus.Desc
	deliveries *prometheus.CounterVec
	retries    *prometheus.CounterVec
	latency    *prometheus.HistogramVec
}

func newMetrics(o *Outbox) *metrics {
	return &metrics{
		o: o,
		depth: prometheus.NewDesc("reportgen_outbox_pending",
			"Deliveries waiting in the outbox, by sink.", []string{"sink"}, nil),
		oldest: prometheus.NewDesc("reportgen_outbox_oldest_pending_seconds",
			"Age of the oldest pending delivery, by sink (0 when none).", []string{"sink"}, nil),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "reportgen_outbox_deliveries_total", Help: "Delivery attempts by sink and result (ok, failed).",
		}, []string{"sink", "result"}),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "reportgen_outbox_retries_total", Help: "Deliveries scheduled again after a failure, by sink.",
		}, []string{"sink"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "reportgen_outbox_delivery_seconds",
			Help:    "Time from accepting a message to its delivery, by sink.",
			Buckets: []float64{.005, .01, .02, .05, .1, .2, .5, 1, 2, 5, 10, 30, 60, 300, 1800},
		}, []string{"sink"}),
	}
}

// Describe implements prometheus.Collector.
func (m *metrics) Describe(ch chan<- *prometheus.Desc) {
	ch <- m.depth
	ch <- m.oldest
	m.deliveries.Describe(ch)
	m.retries.Describe(ch)
	m.latency.Describe(ch)
}

// Collect implements prometheus.Collector; depth and age are read from
// the queues at scrape time.
func (m *metrics) Collect(ch chan<- prometheus.Metric) {
	o := m.o
	now := o.opt.Now()
	o.mu.Lock()
	for _, name := range o.order {
		q := o.queues[name]
		age := 0.0
		if len(q.entries) > 0 {
			age = now.Sub(q.entries[0].it.rec.Received).Seconds()
		}
		ch <- prometheus.MustNewConstMetric(m.depth, prometheus.GaugeValue, float64(len(q.entries)), name)
		ch <- prometheus.MustNewConstMetric(m.oldest, prometheus.GaugeValue, age, name)
	}
	o.mu.Unlock()
	m.deliveries.Collect(ch)
	m.retries.Collect(ch)
	m.latency.Collect(ch)
}
