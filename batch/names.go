package batch

import (
	"hash/fnv"
	"regexp"
	"strconv"
	"strings"
)

// Suffixes of the output files.
const (
	SuffixCDA = ".cda.xml"
	SuffixSR  = ".sr.dcm"
)

// maxNameLen leaves room under the usual 255-byte file name limit for the
// collision suffix and the temporary-file decoration.
const maxNameLen = 100

// safeName is a portable file name (POSIX portable characters) that cannot
// be hidden, relative or a path: it starts with a letter or digit.
var safeName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// SafeName reports whether s can be used as an output name as it is.
func SafeName(s string) bool {
	return len(s) <= maxNameLen && safeName.MatchString(s)
}

// namer hands out output names in input order. It remembers a 64-bit hash
// of each lower-cased name rather than the name, so a long batch costs a
// few bytes per input. A hash collision only makes an input take a
// suffixed name; it can never make two inputs share one.
type namer struct {
	used map[uint64]struct{}
}

func newNamer() *namer { return &namer{used: map[uint64]struct{}{}} }

func nameKey(name string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(strings.ToLower(name)))
	return h.Sum64()
}

// reserve marks a name as taken: names recorded by earlier runs are
// reserved before any new one is handed out.
func (n *namer) reserve(name string) {
	if name != "" {
		n.used[nameKey(name)] = struct{}{}
	}
}

// assign returns the output name of an input whose request has the given
// request_id: the request_id when it is safe, else a name made from the
// input's position; "--<seq>" is appended while the name is taken.
func (n *namer) assign(in *Input, requestID string) string {
	name := requestID
	if !SafeName(name) {
		name = fallbackName(in)
	}
	suffix := "--" + strconv.Itoa(in.Seq)
	for i := 1; ; i++ {
		k := nameKey(name)
		if _, taken := n.used[k]; !taken {
			n.used[k] = struct{}{}
			return name
		}
		if len(name)+len(suffix) <= 2*maxNameLen {
			name += suffix
		} else {
			// Only crafted ids chain this far; keep the name short.
			name = fallbackName(in) + suffix + "-" + strconv.Itoa(i)
		}
	}
}

// fallbackName names an input without a usable request_id: "line-N" for a
// JSONL line; for a request file its own name without ".json" when that is
// safe, else "file-N".
func fallbackName(in *Input) string {
	if in.File == "" {
		return "line-" + strconv.Itoa(in.Line)
	}
	if base := strings.TrimSuffix(in.File, ".json"); SafeName(base) {
		return base
	}
	return "file-" + strconv.Itoa(in.Seq)
}
