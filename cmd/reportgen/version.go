package main

import (
	"cmp"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/reportgen/reportgen/schemas"
)

// Set by release builds, e.g. scripts/build-image.sh:
// -ldflags "-X main.version=v1.2.3 -X main.commit=<sha>". Without them the
// version is the module version the go command recorded ("(devel)" for a
// checkout) and the commit is the go command's VCS stamp, when it made one.
var (
	version = ""
	commit  = ""
)

// buildVersion returns the version and the VCS commit ("+dirty" when the
// tree had uncommitted changes).
func buildVersion() (ver, rev string) {
	ver, rev = version, commit
	if bi, ok := debug.ReadBuildInfo(); ok {
		if ver == "" && bi.Main.Version != "" {
			ver = bi.Main.Version
		}
		if rev == "" {
			dirty := false
			for _, s := range bi.Settings {
				switch s.Key {
				case "vcs.revision":
					rev = s.Value
				case "vcs.modified":
					dirty = s.Value == "true"
				}
			}
			if rev != "" && dirty {
				rev += "+dirty"
			}
		}
	}
	return cmp.Or(ver, "(devel)"), cmp.Or(rev, "unknown")
}

// printVersion prints what identifies this binary's behaviour: version,
// commit, and the schema set it validates against (the digest of the
// embedded manifest; the server refuses a synced folder that does not
// match the manifest).
func printVersion(w io.Writer) int {
	ver, rev := buildVersion()
	fmt.Fprintf(w, "reportgen %s\ncommit %s\n", ver, rev)
	m, err := schemas.Load()
	if err != nil {
		fmt.Fprintf(w, "schema set: %v\n", err)
		return exitFailure
	}
	fmt.Fprintf(w, "schema set %s (%d files, manifest version %d)\n", m.Digest(), len(m.Files), m.Version)
	fmt.Fprintf(w, "go %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return exitOK
}
