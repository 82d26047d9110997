package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/reportgen/reportgen"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
	"github.com/reportgen/reportgen/schemas"
	"github.com/reportgen/reportgen/server"
)

func serve(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:50051", "address to listen on")
	cfg := engineFlags(fs)
	logFormat := fs.String("log-format", "json", "log format: json or text")
	grace := fs.Duration("shutdown-grace", 30*time.Second, "on SIGTERM, how long in-flight calls may take to finish")
	sopt := serveFlags(fs)
	hopt := registerHL7Flags(fs)
	extra := extraListenerFlags(fs)
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	var h slog.Handler = slog.NewJSONHandler(stderr, nil)
	if *logFormat == "text" {
		h = slog.NewTextHandler(stderr, nil)
	}
	log := slog.New(h)

	e, err := reportgen.New(*cfg)
	if err != nil {
		// A bad template file stops the start here; the error names the
		// file, line and rule of each problem.
		log.Error("cannot start", "err", err.Error())
		return exitFailure
	}
	defer e.Close()
	log.Info("templates loaded", "dir", cfg.TemplateDir, "templates", e.Templates().Len())
	metrics := server.NewMetrics()
	opts, err := sopt.build(*listen, metrics)
	if err == nil && *grace < 0 {
		err = fmt.Errorf("--shutdown-grace %v: it must be 0 or longer", *grace)
	}
	if err != nil {
		log.Error("cannot start", "err", err.Error())
		return exitFailure
	}
	lis, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Error("cannot listen", "addr", *listen, "err", err.Error())
		return exitFailure
	}
	hl7, err := hopt.open(e, cfg, sopt, metrics, log)
	if err != nil {
		log.Error("cannot start", "err", err.Error())
		return exitFailure
	}
	srv, health := server.New(e, log, sopt.limits, append(opts, hl7.serverOptions()...)...)

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	maddr, err := startMetrics(ctx, sopt.metricsListen, metrics, log)
	if err != nil {
		log.Error("cannot start", "err", err.Error())
		return exitFailure
	}
	waitExtra, err := extra.start(ctx, srv, health, sopt, *grace, log)
	defer func() { stop(); waitExtra() }() // the HTTP listener drains too
	if err != nil {
		log.Error("cannot start", "err", err.Error())
		return exitFailure
	}
	// SIGHUP reloads the templates. It is registered before the server
	// says it is serving, so a SIGHUP never kills a running server.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go reloadOnHangup(ctx, hup, e, log, cfg.TemplateDir)
	hl7.start(ctx, *grace)
	defer hl7.wait()
	go func() {
		<-ctx.Done()
		// Tell load balancers first, then let in-flight calls finish.
		health.Shutdown()
		log.Info("shutting down", "grace", grace.String())
		done := make(chan struct{})
		go func() { srv.GracefulStop(); close(done) }()
		select {
		case <-done:
		case <-time.After(*grace):
			log.Warn("grace period over; stopping in-flight calls")
			srv.Stop()
		}
	}()
	log.Info("serving", "addr", lis.Addr().String(), "schemas", cfg.SchemaDir, "health", healthpb.Health_ServiceDesc.ServiceName,
		"tls", sopt.tlsCert != "", "mtls", sopt.clientCA != "", "auth", sopt.tokenFile != "", "metrics", maddr)
	if err := srv.Serve(lis); err != nil {
		log.Error("serve", "err", err.Error())
		return exitFailure
	}
	log.Info("stopped")
	return exitOK
}

// reloadOnHangup reloads the templates on each SIGHUP. A reload that fails
// keeps the current set, and calls in flight always finish with the set
// they started with: the engine swaps whole immutable registries.
func reloadOnHangup(ctx context.Context, hup <-chan os.Signal, e *reportgen.Engine, log *slog.Logger, dir string) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			r, err := e.ReloadTemplates()
			if err != nil {
				log.Error("template reload failed; keeping the current templates", "dir", dir, "err", err.Error())
				continue
			}
			log.Info("templates reloaded", "dir", dir, "templates", r.Len())
		}
	}
}

// engineFlags registers the flags that configure the engine, among them
// the defaults for the header data an SR cannot carry
// (Config.TransformDefaults), so that the transform command and the
// TransformDocument RPC of serve read an SR alike.
func engineFlags(fs *flag.FlagSet) *reportgen.Config {
	cfg := &reportgen.Config{}
	fs.StringVar(&cfg.SchemaDir, "schemas", schemas.DefaultDir, "the synced schema folder (reportgen schemas sync fills it)")
	fs.StringVar(&cfg.UIDRoot, "uid-root", "", "organisation OID for new UIDs and document ids (default 2.25.<UUID>)")
	fs.StringVar(&cfg.WADOBaseURL, "wado-base-url", "", "WADO-URI base URL for image links in the CDA, e.g. https://pacs.example.org/wado")
	fs.StringVar(&cfg.WADORSBaseURL, "wado-rs-base-url", "", "WADO-RS service root for image links in the HTML page and the FHIR ImagingStudy endpoint, e.g. https://pacs.example.org/dicom-web")
	fs.StringVar(&cfg.TemplateDir, "templates", "", "directory of custom report templates (*.json) loaded over the built-in ones; serve reloads it on SIGHUP")
	fs.IntVar(&cfg.MaxTextBytes, "max-text-bytes", reportgen.DefaultMaxText, fmt.Sprintf("largest narrative text (a section's, an observation's, a dictation) accepted, in bytes, %d to %d", reportgen.MinTextLimit, reportgen.MaxTextLimit))
	d := &cfg.TransformDefaults
	fs.StringVar(&d.DefaultIssuerOID, "issuer-oid", "", "SR to CDA: assigning authority OID of the Patient ID when the SR names none")
	fs.StringVar(&d.DefaultAccessionIssuerOID, "accession-issuer-oid", "", "SR to CDA: issuer OID of the Accession Number when the SR names none")
	// The custodian is one message filled by two flags, so either may
	// come first or alone.
	custodian := func() *pb.Organization {
		if d.Custodian == nil {
			d.Custodian = &pb.Organization{}
		}
		return d.Custodian
	}
	fs.Func("custodian-name", "SR to CDA: custodian organisation name when the SR names no institution; with --custodian-oid also the custodian of HL7 v2 reports (else MSH-4)", func(s string) error {
		custodian().Name = s
		return nil
	})
	fs.Func("custodian-oid", "SR to CDA: custodian organisation OID (an SR has no place for it; without it the CDA says nullFlavor UNK)", func(s string) error {
		custodian().Ids = []*pb.Identifier{{AssigningAuthorityOid: s}}
		return nil
	})
	fs.Func("timezone", "SR to CDA: time zone of the SR's times when it has no Timezone Offset From UTC: +hhmm, -hh:mm or a name such as Europe/Berlin (default UTC, with a warning)", func(s string) error {
		loc, err := parseZone(s)
		if err != nil {
			// The message the transform command printed before the flag
			// moved here, so scripts that look for it still find it.
			return fmt.Errorf("--timezone: %w", err)
		}
		d.DefaultTimeZone = loc
		return nil
	})
	return cfg
}

// fatalf prints to stderr and returns the failure exit code.
func fatalf(stderr io.Writer, format string, args ...any) int {
	fmt.Fprintf(stderr, "reportgen: "+format+"\n", args...)
	return exitFailure
}
