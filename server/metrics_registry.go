package server

import "github.com/prometheus/client_golang/prometheus"

// Registerer is the registry the metrics endpoint serves, for the metrics
// of the service's other parts (the MLLP listener, the HL7 intake, the
// outbox) to join.
func (m *Metrics) Registerer() prometheus.Registerer { return m.reg }
