package hl7v2

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reportgen/reportgen/internal/fuzztest"
)

// FuzzParse: any bytes give a message or errors, never a panic; a
// message maps or gives errors; and every ACK written for it parses
// without error and answers its control id.
func FuzzParse(f *testing.F) {
	f.Add(message(baseSegments))
	f.Add([]byte(strings.Join(baseSegments, "\n")))
	f.Add(message(edit(baseSegments, "MSH", 18, "8859/1")))
	f.Add(message(edit(baseSegments, "OBX", 5, `a\F\b\XC3A9\\.br\c`)))
	f.Add([]byte("MSH|^~\\&|A|B|C|D|2026||ORU^R01|1|P|2.3\rPID|||1\rOBR|1\rOBX|1|TX|&GDT||x"))
	f.Add([]byte("MSH#*%$@#"))
	f.Add([]byte(""))
	files, _ := filepath.Glob("testdata/*.hl7")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fuzztest.Run(t, func() error {
			m, errs := Parse(b, ParseOptions{})
			var all Errors = errs
			if m != nil && !errs.HasErrors() {
				mp, merrs := MapORU(m, testOptions)
				all = append(all, merrs...)
				if mp != nil && (mp.Request == nil || merrs.HasErrors()) {
					return fmt.Errorf("mapped with errors: %v", merrs)
				}
			}
			_, ack := Ack(m, all, AckOptions{ControlID: "A1"})
			back, aerrs := Parse(ack, ParseOptions{})
			if back == nil || aerrs.HasErrors() {
				return fmt.Errorf("ACK does not parse: %v\n%q", aerrs, ack)
			}
			if m != nil && m.Charset == back.Charset && echo(m.MSH().Field(10)) != "" {
				if got, want := back.First("MSA").Field(2).Raw(), m.MSH().Field(10).Raw(); got != want {
					return fmt.Errorf("MSA-2 %q, control id %q", got, want)
				}
			}
			return nil
		})
	})
}
