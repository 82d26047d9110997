package mllp

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"time"
)

// Client is one MLLP connection that sends messages and reads their
// answers, one at a time. It is not safe for concurrent use.
type Client struct {
	nc net.Conn
	rd *Reader
}

// Dial connects to addr, over TLS when cfg is set. maxAnswer bounds an
// answer (DefaultMaxMessageBytes when 0).
func Dial(ctx context.Context, addr string, cfg *tls.Config, maxAnswer int) (*Client, error) {
	if maxAnswer <= 0 {
		maxAnswer = DefaultMaxMessageBytes
	}
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	if cfg != nil {
		tc := tls.Client(nc, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			nc.Close()
			return nil, err
		}
		nc = tc
	}
	return &Client{nc: nc, rd: NewReader(nc, maxAnswer)}, nil
}

// ErrNoAnswer says the peer closed the connection without answering.
var ErrNoAnswer = errors.New("mllp: connection closed before the answer")

// Send writes msg framed and returns the next answer. ctx's deadline (or
// timeout, when ctx has none and timeout > 0) bounds the whole exchange.
// After an error the connection is not usable: close it.
func (c *Client) Send(ctx context.Context, msg []byte, timeout time.Duration) ([]byte, error) {
	dl, ok := ctx.Deadline()
	if !ok && timeout > 0 {
		dl = time.Now().Add(timeout)
	}
	c.nc.SetDeadline(dl)
	stop := context.AfterFunc(ctx, func() { c.nc.SetDeadline(time.Now()) })
	defer stop()
	if _, err := c.nc.Write(Frame(msg)); err != nil {
		return nil, err
	}
	ans, err := c.rd.Next()
	if err != nil {
		if errors.Is(err, ErrIncomplete) || errors.Is(err, net.ErrClosed) || isEOF(err) {
			return nil, ErrNoAnswer
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	return ans, nil
}

func isEOF(err error) bool { return errors.Is(err, io.EOF) }

// Close closes the connection.
func (c *Client) Close() error { return c.nc.Close() }
