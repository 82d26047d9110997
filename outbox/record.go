package outbox

import "time"

// Record is one accepted message and its deliveries.
type Record struct {
	// ID identifies the message (a hex digest of its sender and control
	// id): the file name and the key of duplicate detection.
	ID string `json:"id"`
	// Received is when the message was accepted.
	Received time.Time `json:"received"`
	// Ack is the acknowledgement sent; a resend gets it again.
	Ack []byte `json:"ack"`
	// OrderKey groups records that must reach a sink in order (the same
	// imaging order); "" for none.
	OrderKey string `json:"order_key,omitempty"`
	// Name is the base name of files a folder sink writes.
	Name string `json:"name"`
	// Payloads are the documents by kind ("cda", "sr", "oru"), dropped
	// once every sink has them.
	Payloads map[string][]byte `json:"payloads,omitempty"`
	// Sinks are the deliveries by sink name.
	Sinks map[string]*Delivery `json:"sinks"`
}

// Payload kinds.
const (
	PayloadCDA = "cda"
	PayloadSR  = "sr"
	PayloadORU = "oru"
)

// Delivery is the state of one record at one sink.
type Delivery struct {
	Done        bool      `json:"done"`
	DeliveredAt time.Time `json:"delivered_at,omitzero"`
	// Attempts counts tries, the successful one included (since the
	// outbox was last opened).
	Attempts int `json:"attempts,omitempty"`
}

// pending reports whether a delivery is still to be made.
func (r *Record) pending() []string {
	var out []string
	for name, d := range r.Sinks {
		if !d.Done {
			out = append(out, name)
		}
	}
	return out
}
