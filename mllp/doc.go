// Package mllp is the Minimal Lower Layer Protocol of HL7 v2 (HL7 v2.5.1
// Appendix C): the framing of messages on a TCP stream as VT message FS CR,
// a server that reads frames on many connections and answers each with its
// handler's acknowledgement, and a client that sends a message and waits
// for the answer.
//
// The server bounds what a peer can hold: the size of one message, the
// time a frame may take to arrive once started (slow clients), the time a
// connection may stay idle, and the number of connections. A frame that
// is too large is read to its end and answered by the server's Reject
// function, so the connection and the next message still work; a
// connection that drops inside a frame loses only that frame, which was
// never acknowledged.
package mllp
