package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/reportgen/reportgen"
	"github.com/reportgen/reportgen/hl7v2"
	"github.com/reportgen/reportgen/intake"
	"github.com/reportgen/reportgen/mllp"
	"github.com/reportgen/reportgen/outbox"
	"github.com/reportgen/reportgen/server"
)

// hl7Flags are serve's HL7 v2 flags: the MLLP listener, the mapping's
// deployment facts (shared with the hl7 command), the state folder and
// the delivery sinks.
type hl7Flags struct {
	mapping *hl7MapFlags

	listen                 string
	maxMessage, maxConns   int
	idle, readTimeout      time.Duration
	workers                int
	state                  string
	retention              time.Duration
	deliverDir             string
	stowURL, stowToken     string
	stowCA                 string
	stowWorkers            int
	peer, peerApp, peerFac string
	peerCA                 string
	retryMin, retryMax     time.Duration
	application, facility  string
}

func registerHL7Flags(fs *flag.FlagSet) *hl7Flags {
	h := &hl7Flags{mapping: registerHL7MapFlags(fs)}
	fs.StringVar(&h.listen, "mllp-listen", "", "address for the HL7 v2 MLLP listener, e.g. 0.0.0.0:2575 (off when empty; TLS with the --tls-* flags)")
	fs.IntVar(&h.maxMessage, "mllp-max-message-bytes", mllp.DefaultMaxMessageBytes, "largest HL7 v2 message accepted (MLLP and GenerateReportFromHL7)")
	fs.IntVar(&h.maxConns, "mllp-max-connections", mllp.DefaultMaxConnections, "MLLP connections served at once")
	fs.DurationVar(&h.idle, "mllp-idle-timeout", 0, "close an MLLP connection idle this long (0: keep it open)")
	fs.DurationVar(&h.readTimeout, "mllp-read-timeout", mllp.DefaultReadTimeout, "time a message may take to arrive once its frame started")
	fs.IntVar(&h.workers, "mllp-workers", 0, "HL7 v2 messages rendered at once (default one per core)")
	fs.StringVar(&h.state, "hl7-state", "", "folder of the HL7 v2 state: the outbox of accepted messages and the order index (required with --mllp-listen or a --deliver-* flag)")
	fs.DurationVar(&h.retention, "hl7-retention", 7*24*time.Hour, "how long an accepted message's ACK is kept to answer resends")
	fs.StringVar(&h.application, "hl7-application", "REPORTGEN", "this service's application name in ACKs and outbound messages (MSH-3)")
	fs.StringVar(&h.facility, "hl7-facility", "", "this service's facility in ACKs and outbound messages (MSH-4)")
	fs.StringVar(&h.deliverDir, "deliver-dir", "", "deliver each report's CDA and SR to this folder (NAME.cda.xml, NAME.sr.dcm)")
	fs.StringVar(&h.stowURL, "deliver-stow", "", "deliver each SR with DICOMweb STOW-RS to this service root, e.g. http://pacs:8042/dicom-web")
	fs.StringVar(&h.stowToken, "deliver-stow-token-file", "", "file holding a bearer token for --deliver-stow")
	fs.StringVar(&h.stowCA, "deliver-stow-ca", "", "CA bundle (PEM) for an https --deliver-stow")
	fs.IntVar(&h.stowWorkers, "deliver-stow-workers", 4, "STOW-RS requests in flight")
	fs.StringVar(&h.peer, "deliver-mllp", "", "deliver each report as an ORU^R01 (text and CDA) to this MLLP peer host:port")
	fs.StringVar(&h.peerApp, "deliver-mllp-application", "", "the peer's application name (MSH-5 of outbound messages)")
	fs.StringVar(&h.peerFac, "deliver-mllp-facility", "", "the peer's facility (MSH-6 of outbound messages)")
	fs.StringVar(&h.peerCA, "deliver-mllp-ca", "", "CA bundle (PEM): connect to --deliver-mllp over TLS, checking its certificate")
	fs.DurationVar(&h.retryMin, "deliver-retry-min", time.Second, "first wait before retrying a failed delivery (doubling each time)")
	fs.DurationVar(&h.retryMax, "deliver-retry-max", 5*time.Minute, "longest wait between delivery retries")
	return h
}

// hl7MapFlags are the mapping's deployment facts.
type hl7MapFlags struct {
	opt     hl7v2.MapOptions
	charset hl7v2.Charset
}

func registerHL7MapFlags(fs *flag.FlagSet) *hl7MapFlags {
	f := &hl7MapFlags{}
	fs.Func("hl7-authority", "NAMESPACE=OID: the OID of an assigning authority senders name by namespace only (repeat the flag)", func(s string) error {
		ns, oid, ok := strings.Cut(s, "=")
		if !ok || ns == "" {
			return errors.New("want NAMESPACE=OID")
		}
		if f.opt.Authorities == nil {
			f.opt.Authorities = map[string]string{}
		}
		f.opt.Authorities[ns] = oid
		return nil
	})
	fs.Func("hl7-coding-system", "ID=OID: the OID of a local coding system of procedure codes (OBR-4.3) (repeat the flag)", func(s string) error {
		id, oid, ok := strings.Cut(s, "=")
		if !ok || id == "" {
			return errors.New("want ID=OID")
		}
		if f.opt.CodingSystems == nil {
			f.opt.CodingSystems = map[string]string{}
		}
		f.opt.CodingSystems[id] = oid
		return nil
	})
	fs.StringVar(&f.opt.PatientIDAuthority, "hl7-patient-id-authority", "", "OID of patient identifiers (PID-3) sent without any assigning authority")
	fs.StringVar(&f.opt.PlacerAuthority, "hl7-placer-authority", "", "OID of placer order numbers (OBR-2) sent without any authority")
	fs.StringVar(&f.opt.FillerAuthority, "hl7-filler-authority", "", "OID of filler order and accession numbers (OBR-3, OBR-18) sent without any authority")
	fs.Func("hl7-timezone", "time zone of HL7 times without UTC offset when MSH-7 has none: +hhmm, -hhmm or a name such as Europe/Berlin", func(s string) error {
		loc, err := parseZone(s)
		if err != nil {
			return err
		}
		f.opt.TimeZone = loc
		return nil
	})
	fs.Func("hl7-default-charset", "character set of messages with an empty MSH-18 (default: UTF-8, which includes ASCII); one of "+hl7v2.SupportedCharsets, func(s string) error {
		cs, ok := hl7v2.ParseCharset(s)
		if !ok {
			return fmt.Errorf("not one of %s", hl7v2.SupportedCharsets)
		}
		f.charset = cs
		return nil
	})
	return f
}

// options returns the mapping options; the custodian flags of the engine
// (--custodian-name, --custodian-oid) name the custodian of HL7 reports
// too.
func (f *hl7MapFlags) options(cfg *reportgen.Config) hl7v2.MapOptions {
	o := f.opt
	if c := cfg.TransformDefaults.Custodian; c != nil && len(c.GetIds()) > 0 {
		o.Custodian = c
	}
	return o
}

// hl7Service is the HL7 v2 side of serve: intake, outbox, MLLP listener.
type hl7Service struct {
	flags *hl7Flags
	in    *intake.Intake
	ob    *outbox.Outbox
	srv   *mllp.Server
	lis   net.Listener
	peer  *outbox.MLLP
	log   *slog.Logger
	wg    sync.WaitGroup
	stop  context.CancelFunc
	grace time.Duration
	once  sync.Once
}

// Ranges of serve's HL7 flags. A message over 1 GiB is no report; a worker
// or connection count past these holds more goroutines than any machine
// renders with.
const (
	maxHL7MessageBytes = 1 << 30
	maxMLLPConnections = 1 << 16
	maxHL7Workers      = 1024
	maxStowWorkers     = 256
)

// checkRanges refuses count, size and duration flags out of range, by
// name: the packages they configure would take a negative or zero value
// as their default without a word.
func (h *hl7Flags) checkRanges() error {
	err := checkRanges(
		intRange{"--mllp-max-message-bytes", h.maxMessage, 1024, maxHL7MessageBytes},
		intRange{"--mllp-max-connections", h.maxConns, 1, maxMLLPConnections},
		intRange{"--mllp-workers", h.workers, 0, maxHL7Workers},
		intRange{"--deliver-stow-workers", h.stowWorkers, 1, maxStowWorkers},
	)
	var errs []error
	for _, d := range []struct {
		flag string
		v    time.Duration
		zero bool // 0 has a meaning of its own
	}{
		{"--mllp-idle-timeout", h.idle, true},
		{"--mllp-read-timeout", h.readTimeout, false},
		{"--hl7-retention", h.retention, false},
		{"--deliver-retry-min", h.retryMin, false},
		{"--deliver-retry-max", h.retryMax, false},
	} {
		switch {
		case d.v < 0 && d.zero:
			errs = append(errs, fmt.Errorf("%s %v: it must be 0 or longer", d.flag, d.v))
		case d.v <= 0 && !d.zero:
			errs = append(errs, fmt.Errorf("%s %v: it must be longer than 0", d.flag, d.v))
		}
	}
	if h.retryMax < h.retryMin {
		errs = append(errs, fmt.Errorf("--deliver-retry-max %v is shorter than --deliver-retry-min %v", h.retryMax, h.retryMin))
	}
	return errors.Join(append([]error{err}, errs...)...)
}

// open checks the flags and builds the intake (always: the RPC uses it),
// the outbox with its sinks when delivery is configured, and the MLLP
// listener's socket when asked for.
func (h *hl7Flags) open(e *reportgen.Engine, cfg *reportgen.Config, sopt *serveOptions, m *server.Metrics, log *slog.Logger) (*hl7Service, error) {
	if err := h.checkRanges(); err != nil {
		return nil, err
	}
	s := &hl7Service{flags: h, log: log}
	var sinks []outbox.Sink
	if h.deliverDir != "" {
		d, err := outbox.NewDir(h.deliverDir)
		if err != nil {
			return nil, err
		}
		sinks = append(sinks, d)
	}
	if h.stowURL != "" {
		st := &outbox.STOW{Base: h.stowURL}
		if h.stowToken != "" {
			tokens, err := readTokens(h.stowToken)
			if err != nil {
				return nil, fmt.Errorf("--deliver-stow-token-file: %w", err)
			}
			st.Token = tokens[0]
		}
		if h.stowCA != "" {
			pool, err := readPool(h.stowCA)
			if err != nil {
				return nil, fmt.Errorf("--deliver-stow-ca: %w", err)
			}
			st.Client = &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
		}
		sinks = append(sinks, st)
	}
	if h.peer != "" {
		s.peer = &outbox.MLLP{Addr: h.peer}
		if h.peerCA != "" {
			pool, err := readPool(h.peerCA)
			if err != nil {
				return nil, fmt.Errorf("--deliver-mllp-ca: %w", err)
			}
			host, _, _ := net.SplitHostPort(h.peer)
			s.peer.TLS = &tls.Config{RootCAs: pool, ServerName: host, MinVersion: tls.VersionTLS12}
		}
		sinks = append(sinks, s.peer)
	}
	stateful := h.listen != "" || len(sinks) > 0
	switch {
	case stateful && h.state == "":
		return nil, errors.New("--mllp-listen and --deliver-* need --hl7-state DIR: accepted messages are kept there until delivered")
	case h.listen != "" && len(sinks) == 0:
		return nil, errors.New("--mllp-listen needs a delivery: --deliver-dir, --deliver-stow or --deliver-mllp (an acknowledged report must go somewhere)")
	}
	reg := m.Registerer()
	icfg := intake.Config{
		Engine: e, Map: h.mapping.options(cfg), Parse: hl7v2.ParseOptions{DefaultCharset: h.mapping.charset},
		Application: h.application, Facility: h.facility, Workers: h.workers, Log: log, Registerer: reg,
	}
	if icfg.Workers <= 0 {
		icfg.Workers = max(1, sopt.limits.EngineWorkers/2)
	}
	if stateful {
		ob, err := outbox.Open(filepath.Join(h.state, "outbox"), sinks, outbox.Options{
			// One MLLP peer connection keeps outbound messages in order;
			// files and STOW requests go in parallel (records of one
			// order still in turn).
			Workers:  map[string]int{"dir": 4, "stow": h.stowWorkers},
			RetryMin: h.retryMin, RetryMax: h.retryMax, Retention: h.retention, Log: log, Registerer: reg,
		})
		if err != nil {
			return nil, err
		}
		s.ob = ob
		icfg.Outbox, icfg.OrdersDir = ob, filepath.Join(h.state, "orders")
		if h.peer != "" {
			icfg.Outbound = &intake.Outbound{PeerApplication: h.peerApp, PeerFacility: h.peerFac}
		}
	}
	in, err := intake.New(icfg)
	if err != nil {
		return nil, err
	}
	s.in = in
	if h.listen != "" {
		srv := &mllp.Server{
			Handler: in, Reject: in.Reject, MaxMessageBytes: h.maxMessage, IdleTimeout: h.idle,
			ReadTimeout: h.readTimeout, MaxConnections: h.maxConns, Log: log, Metrics: mllp.NewMetrics(reg),
		}
		switch {
		case sopt.tlsCert != "":
			tc, err := server.TLSConfig(sopt.tlsCert, sopt.tlsKey, sopt.clientCA)
			if err != nil {
				return nil, err
			}
			srv.TLSConfig = tc
		default:
			if err := server.CheckPlaintext(h.listen, sopt.allowPlaintext); err != nil {
				return nil, fmt.Errorf("--mllp-listen: %w", err)
			}
		}
		lis, err := net.Listen("tcp", h.listen)
		if err != nil {
			return nil, fmt.Errorf("mllp listen: %w", err)
		}
		s.srv, s.lis = srv, lis
	}
	return s, nil
}

// serverOptions hand the intake to the gRPC service.
func (s *hl7Service) serverOptions() []server.Option {
	return []server.Option{server.WithHL7(s.in)}
}

// start serves MLLP and runs the deliveries until ctx ends; then the
// listener stops taking messages, lets those in progress finish (up to
// grace) and the deliveries stop (what is pending stays in the outbox).
func (s *hl7Service) start(ctx context.Context, grace time.Duration) {
	octx, stop := context.WithCancel(context.Background())
	s.stop = stop
	if s.ob != nil {
		s.wg.Go(func() { s.ob.Run(octx) })
		s.wg.Go(func() {
			t := time.NewTicker(time.Hour)
			defer t.Stop()
			for {
				select {
				case <-octx.Done():
					return
				case <-t.C:
					if n, err := s.ob.Prune(); err != nil {
						s.log.Error("outbox prune failed", "err", err.Error())
					} else if n > 0 {
						s.log.Info("outbox pruned", "records", n)
					}
				}
			}
		})
	}
	if s.srv != nil {
		s.log.Info("mllp serving", "addr", s.lis.Addr().String(), "tls", s.srv.TLSConfig != nil, "sinks", s.ob.Sinks())
		s.wg.Go(func() {
			if err := s.srv.Serve(s.lis); err != nil && !errors.Is(err, mllp.ErrServerClosed) {
				s.log.Error("mllp serve", "err", err.Error())
			}
		})
	}
	s.grace = grace
	go func() {
		<-ctx.Done()
		s.shutdown()
	}()
}

// shutdown stops taking messages, lets those in progress finish (up to
// the grace period), then stops the deliveries.
func (s *hl7Service) shutdown() {
	s.once.Do(func() {
		if s.srv != nil {
			sctx, cancel := context.WithTimeout(context.Background(), s.grace)
			s.srv.Shutdown(sctx)
			cancel()
		}
		if s.stop != nil {
			s.stop()
		}
	})
}

// wait shuts down (when the server stopped for another reason than a
// signal) and returns when the listener and the deliveries have stopped.
func (s *hl7Service) wait() {
	s.shutdown()
	s.wg.Wait()
	if s.peer != nil {
		s.peer.Close()
	}
}

func readPool(path string) (*x509.CertPool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		return nil, errors.New("no PEM certificate in the file")
	}
	return pool, nil
}
