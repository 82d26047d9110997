package mllp

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// Framing bytes.
const (
	StartBlock byte = 0x0B // VT
	EndBlock   byte = 0x1C // FS
	CR         byte = 0x0D
)

// headSize is how much of an oversized frame is kept, for the reply: the
// MSH segment lies within it.
const headSize = 4096

// ErrIncomplete says the stream ended inside a frame.
var ErrIncomplete = errors.New("mllp: stream ended inside a frame")

// TooLargeError says a frame was longer than the limit. The frame was
// read to its end, so the stream can go on.
type TooLargeError struct {
	Limit int
	// Head is the start of the frame (up to 4 KiB), enough to answer it.
	Head []byte
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("mllp: message larger than %d bytes", e.Limit)
}

// Reader reads framed messages from a stream.
type Reader struct {
	br  *bufio.Reader
	max int
	// OnStart, when set, is called when a frame starts (its VT is read):
	// the server switches from the idle to the frame deadline there.
	OnStart func()
	skipped int
}

// NewReader returns a reader of messages of at most max bytes.
func NewReader(r io.Reader, max int) *Reader {
	return &Reader{br: bufio.NewReaderSize(r, 64<<10), max: max}
}

// Skipped is how many bytes outside frames, other than white space, have
// been passed over.
func (r *Reader) Skipped() int { return r.skipped }

// Next returns the next message without its framing. Bytes before a
// frame's VT are passed over; a VT inside a frame starts the frame anew
// (the peer gave up on the one before). FS ends a frame; the CR after it
// is read when it is there. At the end of the stream between frames it
// returns io.EOF; inside a frame, ErrIncomplete; for a frame over the
// limit, a *TooLargeError after reading it to its end.
func (r *Reader) Next() ([]byte, error) {
	for {
		b, err := r.br.ReadByte()
		if err != nil {
			return nil, err
		}
		if b == StartBlock {
			break
		}
		if b != CR && b != '\n' && b != ' ' && b != '\t' {
			r.skipped++
		}
	}
	if r.OnStart != nil {
		r.OnStart()
	}
	var msg []byte
	var head []byte
	over := false
	for {
		chunk, err := r.br.ReadSlice(EndBlock)
		if k := bytes.LastIndexByte(chunk, StartBlock); k >= 0 {
			// A new frame starts: what came before it is dropped.
			msg, head, over = msg[:0], nil, false
			chunk = chunk[k+1:]
		}
		end := err == nil
		if end {
			chunk = chunk[:len(chunk)-1]
		}
		if !over && len(msg)+len(chunk) > r.max {
			over = true
			head = append(msg, chunk...)
			if len(head) > headSize {
				head = head[:headSize]
			}
			head = bytes.Clone(head)
			msg = nil
		}
		if !over {
			msg = append(msg, chunk...)
		}
		switch {
		case end:
			if c, err := r.br.Peek(1); err == nil && c[0] == CR {
				r.br.ReadByte()
			}
			if over {
				return nil, &TooLargeError{Limit: r.max, Head: head}
			}
			return msg, nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			return nil, ErrIncomplete
		default:
			return nil, err
		}
	}
}

// Frame returns msg framed as VT msg FS CR.
func Frame(msg []byte) []byte {
	out := make([]byte, 0, len(msg)+3)
	out = append(out, StartBlock)
	out = append(out, msg...)
	return append(out, EndBlock, CR)
}
