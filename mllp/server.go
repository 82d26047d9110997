package mllp

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"
)

// Handler answers one message with its acknowledgement (unframed). It is
// called for one message of a connection at a time, in order.
type Handler interface {
	ServeMLLP(ctx context.Context, msg []byte) []byte
}

// HandlerFunc adapts a function to a Handler.
type HandlerFunc func(ctx context.Context, msg []byte) []byte

// ServeMLLP calls f.
func (f HandlerFunc) ServeMLLP(ctx context.Context, msg []byte) []byte { return f(ctx, msg) }

// Defaults of Server.
const (
	DefaultMaxMessageBytes = 2 << 20
	DefaultReadTimeout     = 30 * time.Second
	DefaultWriteTimeout    = 30 * time.Second
	DefaultMaxConnections  = 64
)

// Server serves MLLP connections.
type Server struct {
	// Handler answers messages. Required.
	Handler Handler
	// Reject answers a frame the handler is not given: err is a
	// *TooLargeError, whose Head holds the start of the frame. Nil sends
	// no answer to such a frame.
	Reject func(head []byte, err error) []byte
	// MaxMessageBytes bounds one message (DefaultMaxMessageBytes when 0).
	MaxMessageBytes int
	// IdleTimeout closes a connection on which no frame starts for this
	// long; 0 keeps idle connections open (reporting systems hold one
	// connection for days).
	IdleTimeout time.Duration
	// ReadTimeout bounds the time from the start of a frame to its end,
	// and a TLS handshake (DefaultReadTimeout when 0): a client that
	// trickles bytes is cut off.
	ReadTimeout time.Duration
	// WriteTimeout bounds writing one answer (DefaultWriteTimeout when 0).
	WriteTimeout time.Duration
	// MaxConnections bounds the connections served at once; more are
	// closed at once (DefaultMaxConnections when 0).
	MaxConnections int
	// TLSConfig, when set, serves MLLP over TLS.
	TLSConfig *tls.Config
	// Log receives connection events (addresses and outcomes, never
	// message content); nil discards them.
	Log *slog.Logger
	// Metrics, when set, count connections and frames.
	Metrics *Metrics

	mu        sync.Mutex
	listeners map[net.Listener]struct{}
	conns     map[*conn]struct{}
	shutdown  bool
	wg        sync.WaitGroup
	ctx       context.Context
	cancel    context.CancelFunc
}

// ErrServerClosed is returned by Serve after Shutdown.
var ErrServerClosed = errors.New("mllp: server closed")

func (s *Server) init() {
	if s.conns == nil {
		s.conns = map[*conn]struct{}{}
		s.listeners = map[net.Listener]struct{}{}
		s.ctx, s.cancel = context.WithCancel(context.Background())
	}
	if s.Log == nil {
		s.Log = slog.New(slog.DiscardHandler)
	}
}

func (s *Server) limits() (maxMsg int, read, write time.Duration, maxConns int) {
	maxMsg, read, write, maxConns = s.MaxMessageBytes, s.ReadTimeout, s.WriteTimeout, s.MaxConnections
	if maxMsg <= 0 {
		maxMsg = DefaultMaxMessageBytes
	}
	if read <= 0 {
		read = DefaultReadTimeout
	}
	if write <= 0 {
		write = DefaultWriteTimeout
	}
	if maxConns <= 0 {
		maxConns = DefaultMaxConnections
	}
	return
}

// Serve accepts connections on l until Shutdown, serving each in its own
// goroutine. It always returns a non-nil error; after Shutdown,
// ErrServerClosed.
func (s *Server) Serve(l net.Listener) error {
	s.mu.Lock()
	s.init()
	if s.shutdown {
		s.mu.Unlock()
		return ErrServerClosed
	}
	if s.TLSConfig != nil {
		l = tls.NewListener(l, s.TLSConfig)
	}
	s.listeners[l] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.listeners, l)
		s.mu.Unlock()
	}()
	_, _, _, maxConns := s.limits()
	var delay time.Duration
	for {
		nc, err := l.Accept()
		if err != nil {
			s.mu.Lock()
			closed := s.shutdown
			s.mu.Unlock()
			if closed {
				return ErrServerClosed
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				time.Sleep(delay)
				continue
			}
			return err
		}
		delay = 0
		s.mu.Lock()
		if s.shutdown {
			s.mu.Unlock()
			nc.Close()
			return ErrServerClosed
		}
		if len(s.conns) >= maxConns {
			s.mu.Unlock()
			s.Metrics.refused()
			s.Log.Warn("mllp connection refused: too many connections", "remote", nc.RemoteAddr().String(), "max", maxConns)
			nc.Close()
			continue
		}
		c := &conn{srv: s, nc: nc}
		s.conns[c] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go c.serve()
	}
}

// Shutdown stops accepting connections, lets each connection finish the
// message it is handling and send its answer, closes idle connections,
// and waits for all of them until ctx ends (then closes the rest).
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.init()
	s.shutdown = true
	for l := range s.listeners {
		l.Close()
	}
	for c := range s.conns {
		c.stopIfIdle()
	}
	s.mu.Unlock()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		s.cancel()
		s.mu.Lock()
		for c := range s.conns {
			c.nc.Close()
		}
		s.mu.Unlock()
		<-done
		return ctx.Err()
	}
}

func (s *Server) closing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.shutdown
}

// conn is one served connection.
type conn struct {
	srv *Server
	nc  net.Conn
	mu  sync.Mutex
	// busy: a frame has started and its answer is not yet written.
	busy bool
}

// stopIfIdle unblocks a connection waiting for a frame, so it closes;
// one inside a frame finishes it first.
func (c *conn) stopIfIdle() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.busy {
		c.nc.SetReadDeadline(time.Now())
	}
}

func (c *conn) setBusy(b bool) {
	c.mu.Lock()
	c.busy = b
	c.mu.Unlock()
}

func (c *conn) serve() {
	s := c.srv
	remote := c.nc.RemoteAddr().String()
	s.Metrics.connOpened()
	defer func() {
		c.nc.Close()
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
		s.Metrics.connClosed()
		s.wg.Done()
	}()
	maxMsg, readTimeout, writeTimeout, _ := s.limits()
	if tc, ok := c.nc.(*tls.Conn); ok {
		tc.SetDeadline(time.Now().Add(readTimeout))
		if err := tc.HandshakeContext(s.ctx); err != nil {
			s.Log.Warn("mllp TLS handshake failed", "remote", remote, "err", err.Error())
			return
		}
		tc.SetDeadline(time.Time{})
	}
	s.Log.Info("mllp connection opened", "remote", remote)
	rd := NewReader(c.nc, maxMsg)
	rd.OnStart = func() {
		c.setBusy(true)
		c.nc.SetReadDeadline(time.Now().Add(readTimeout))
	}
	frames := 0
	for {
		if s.closing() {
			return
		}
		idle := time.Time{}
		if s.IdleTimeout > 0 {
			idle = time.Now().Add(s.IdleTimeout)
		}
		c.nc.SetReadDeadline(idle)
		msg, err := rd.Next()
		var reply []byte
		var tl *TooLargeError
		switch {
		case err == nil:
			frames++
			s.Metrics.frame("ok")
			reply = s.Handler.ServeMLLP(s.ctx, msg)
		case errors.As(err, &tl):
			s.Metrics.frame("too_large")
			s.Log.Warn("mllp message over the size limit", "remote", remote, "limit", tl.Limit)
			if s.Reject != nil {
				reply = s.Reject(tl.Head, err)
			}
		case errors.Is(err, io.EOF):
			s.Log.Info("mllp connection closed", "remote", remote, "messages", frames)
			return
		case errors.Is(err, ErrIncomplete):
			s.Metrics.frame("incomplete")
			s.Log.Warn("mllp connection closed inside a frame; the partial message was not acknowledged", "remote", remote, "messages", frames)
			return
		default:
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				c.mu.Lock()
				busy := c.busy
				c.mu.Unlock()
				if busy {
					s.Metrics.frame("timeout")
					s.Log.Warn("mllp frame not complete within the read timeout; closing", "remote", remote, "timeout", readTimeout.String())
				} else if !s.closing() {
					s.Log.Info("mllp connection idle; closing", "remote", remote, "idle", s.IdleTimeout.String())
				}
				return
			}
			s.Log.Warn("mllp read failed", "remote", remote, "err", err.Error())
			return
		}
		if reply != nil {
			c.nc.SetWriteDeadline(time.Now().Add(writeTimeout))
			if _, err := c.nc.Write(Frame(reply)); err != nil {
				s.Log.Warn("mllp answer not written", "remote", remote, "err", err.Error())
				return
			}
		}
		c.setBusy(false)
		if n := rd.Skipped(); n > 0 {
			s.Log.Warn("mllp bytes outside frames passed over", "remote", remote, "bytes", n)
			rd.skipped = 0
		}
	}
}
