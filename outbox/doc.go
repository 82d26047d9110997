// Package outbox is the durable store of accepted HL7 v2 messages and
// their deliveries: the one piece of state the service keeps.
//
// A Record holds what was acknowledged (the ACK bytes, so a resend of the
// message gets the same answer) and the documents to deliver, one delivery
// per Sink (a folder, a PACS over STOW-RS, a downstream MLLP peer). Add
// returns only once the record is on disk (written to a temporary file,
// fsynced, renamed, its folder fsynced), so a message is acknowledged only
// after it can no longer be lost: a crash at any later point resumes the
// deliveries when the outbox is opened again. Deliveries are retried with
// exponential backoff until they succeed, and a failing sink pauses as a
// whole, so a PACS that is down is not flooded; nothing is ever dropped. Only
// a record's last delivery is written down (each write costs fsyncs), so a
// crash may make an earlier one again: sinks must allow that. Two
// records of the same order go to a sink in the order they were added, so
// a correction never overtakes the report it corrects.
//
// On disk (DIR/xx/ID, xx the first two hex digits of the id):
// ID.json is a record with deliveries pending; ID.done is a delivered
// record without its documents, kept for Options.Retention so resends are
// still answered; .tmp-* are writes a crash interrupted, removed on Open.
package outbox
