package outbox

import (
	"context"
	"crypto/tls"
	"fmt"
	"sync"
	"time"

	"github.com/reportgen/reportgen/hl7v2"
	"github.com/reportgen/reportgen/mllp"
)

// MLLP sends the outbound ORU^R01 to a downstream peer and waits for its
// acknowledgement: AA (or CA) is a delivery; AE, AR, no answer or no
// connection is a failure, retried later. It keeps one connection open
// between deliveries and redials after a failure.
type MLLP struct {
	// Addr is the peer's host:port.
	Addr string
	// TLS, when set, connects over TLS.
	TLS *tls.Config
	// Timeout bounds dialing and one exchange (30 s when 0).
	Timeout time.Duration

	mu sync.Mutex
	c  *mllp.Client
}

// Name implements Sink.
func (s *MLLP) Name() string { return "mllp" }

// Deliver implements Sink.
func (s *MLLP) Deliver(ctx context.Context, r *Record) error {
	msg, ok := r.Payloads[PayloadORU]
	if !ok {
		return fmt.Errorf("mllp: the record has no outbound message")
	}
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.c == nil {
		dctx, cancel := context.WithTimeout(ctx, timeout)
		c, err := mllp.Dial(dctx, s.Addr, s.TLS, 0)
		cancel()
		if err != nil {
			return fmt.Errorf("mllp: %w", err)
		}
		s.c = c
	}
	ans, err := s.c.Send(ctx, msg, timeout)
	if err != nil {
		s.c.Close()
		s.c = nil
		return fmt.Errorf("mllp: %w", err)
	}
	m, errs := hl7v2.Parse(ans, hl7v2.ParseOptions{})
	if m == nil || errs.HasErrors() || m.First("MSA") == nil {
		return fmt.Errorf("mllp: the peer's answer is not an HL7 acknowledgement")
	}
	switch code := m.First("MSA").Field(1).Text(); code {
	case "AA", "CA":
		return nil
	default:
		return fmt.Errorf("mllp: the peer answered %s", code)
	}
}

// Close closes the connection.
func (s *MLLP) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.c != nil {
		s.c.Close()
		s.c = nil
	}
}
