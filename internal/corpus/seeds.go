// Package corpus generates the synthetic, archive-shaped report corpus the
// tests render: dictations in the styles people dictate in, each with the
// split it must give, and GenerateReportRequests shaped like a real
// archive (impression-only, findings-only, headings-only, TAB-laden,
// pasted prior reports, partial birth dates, CJK names, ...). Everything
// comes from the seed texts in seeds.txt, written for this project, and a
// fixed pseudo-random sequence, so every run gives the same corpus.
package corpus

import (
	_ "embed"
	"fmt"
	"strings"
)

//go:embed seeds.txt
var seedFile string

// Seeds are the seed texts by list name ("findings", "impression", ...).
type Seeds map[string][]string

// LoadSeeds parses the embedded seed file.
func LoadSeeds() (Seeds, error) {
	s := Seeds{}
	list := ""
	for i, line := range strings.Split(seedFile, "\n") {
		line = strings.TrimRight(line, " ")
		switch {
		case line == "" || strings.HasPrefix(line, "# "):
		case strings.HasPrefix(line, "## "):
			list = strings.TrimPrefix(line, "## ")
		case list == "":
			return nil, fmt.Errorf("seeds.txt:%d: an entry before the first list", i+1)
		default:
			s[list] = append(s[list], strings.ReplaceAll(line, `\n`, "\n"))
		}
	}
	for _, want := range []string{"indication", "history", "comparison", "technique", "findings", "impression", "recommendation", "addendum", "title", "footer", "prose", "prior"} {
		if len(s[want]) == 0 {
			return nil, fmt.Errorf("seeds.txt: list %q is missing or empty", want)
		}
	}
	return s, nil
}
