package hl7v2

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// Key identifies a message for duplicate detection: the sending
// application and facility (MSH-3, MSH-4, as sent) and the control id
// (MSH-10). A resend carries the same key.
type Key struct {
	Application, Facility, ControlID string
}

// KeyOf returns the key of a parsed message.
func KeyOf(m *Message) Key {
	h := m.MSH()
	return Key{Application: h.Field(3).Raw(), Facility: h.Field(4).Raw(), ControlID: h.Field(10).Text()}
}

// ID is a hex SHA-256 of the key: a file name and a log field that says
// nothing about the message.
func (k Key) ID() string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%d:%s|%d:%s|%d:%s", len(k.Application), k.Application, len(k.Facility), k.Facility, len(k.ControlID), k.ControlID))
	return hex.EncodeToString(sum[:16])
}
