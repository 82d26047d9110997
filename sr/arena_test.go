package sr_test

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/reportgen/reportgen/issue"
	pb "github.com/reportgen/reportgen/proto/reportgen/v1"
	"github.com/reportgen/reportgen/sr"
)

// TestValidateReuse guards the pooled parse arenas: whatever file an arena
// held before, from whichever goroutine, Validate and Read must give the
// same answer as on a fresh start. The files mix clean examples, broken
// bytes, cut files and other transfer syntaxes, so arenas are reused
// after errors and after files of every size.
func TestValidateReuse(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var files [][]byte
	for _, b := range encodedExamples(t) {
		files = append(files, b, deflate(t, b), b[:len(b)/2], b[:200])
		for range 40 {
			c := slices.Clone(b)
			for range 1 + r.IntN(3) {
				c[r.IntN(len(c))] = byte(r.IntN(256))
			}
			files = append(files, c)
		}
	}
	files = append(files, part10("1.2.840.10008.1.2.1", nested(200)), part10("1.2.840.10008.1.2", nested(2)))
	type result struct {
		valid, read issue.List
		err         string
		rep         *pb.Report
	}
	run := func(b []byte) result {
		rep, l, err := sr.Read(b, sr.ReadOptions{})
		return result{sr.Validate(b), l, fmt.Sprint(err), rep}
	}
	same := func(a, b result) bool {
		return reflect.DeepEqual(a.valid, b.valid) && reflect.DeepEqual(a.read, b.read) && a.err == b.err && proto.Equal(a.rep, b.rep)
	}
	want := make([]result, len(files))
	for i, b := range files {
		want[i] = run(b)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			order := rand.New(rand.NewPCG(uint64(g), 9)).Perm(len(files))
			for _, i := range order {
				if got := run(files[i]); !same(got, want[i]) {
					t.Errorf("file %d: a reused arena changed the result:\n%+v\nwant\n%+v", i, got, want[i])
					return
				}
			}
		}()
	}
	wg.Wait()
}

// TestReadCopiesValues: the validator compares views of the caller's
// bytes, but what Read returns must be copies, or the report would change
// when the caller reuses its buffer.
func TestReadCopiesValues(t *testing.T) {
	for name, b := range encodedExamples(t) {
		b = slices.Clone(b)
		src, _, err := sr.ReadSource(b, sr.ReadOptions{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want, wantUID := proto.Clone(src.Report), strings.Clone(src.SOPInstanceUID)
		for i := range b {
			b[i] = 'X'
		}
		if !proto.Equal(src.Report, want) || src.SOPInstanceUID != wantUID {
			t.Errorf("%s: the report changed with the bytes it was read from", name)
		}
	}
}
