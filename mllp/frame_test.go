package mllp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/reportgen/reportgen/internal/fuzztest"
)

func TestReaderFrames(t *testing.T) {
	for _, tc := range []struct {
		name    string
		in      string
		max     int
		want    []string
		last    error
		tooBig  int // index of the frame that is too large, -1 for none
		skipped int
	}{
		{name: "two frames", in: "\x0bA\rB\x1c\r\x0bC\x1c\r", want: []string{"A\rB", "C"}, last: io.EOF, tooBig: -1},
		{name: "FS without CR", in: "\x0bA\x1c\x0bB\x1c", want: []string{"A", "B"}, last: io.EOF, tooBig: -1},
		{name: "white space between frames", in: "\r\n \x0bA\x1c\r\n\r\x0bB\x1c\r", want: []string{"A", "B"}, last: io.EOF, tooBig: -1},
		{name: "junk before a frame is passed over", in: "junk\x0bA\x1c\r", want: []string{"A"}, last: io.EOF, tooBig: -1, skipped: 4},
		{name: "a VT inside a frame starts it anew", in: "\x0bhalf\x0bA\x1c\r", want: []string{"A"}, last: io.EOF, tooBig: -1},
		{name: "stream ends inside a frame", in: "\x0bA\x1c\r\x0bhalf a mess", want: []string{"A"}, last: ErrIncomplete, tooBig: -1},
		{name: "too large, then the next frame", in: "\x0b" + strings.Repeat("x", 100) + "\x1c\r\x0bB\x1c\r", max: 50,
			want: []string{"", "B"}, last: io.EOF, tooBig: 0},
		{name: "large frame within the limit, over the buffer", in: "\x0b" + strings.Repeat("y", 200<<10) + "\x1c\r", max: 1 << 20,
			want: []string{strings.Repeat("y", 200<<10)}, last: io.EOF, tooBig: -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			max := tc.max
			if max == 0 {
				max = 1024
			}
			r := NewReader(strings.NewReader(tc.in), max)
			var got []string
			var err error
			for i := 0; ; i++ {
				var msg []byte
				msg, err = r.Next()
				var tl *TooLargeError
				if errors.As(err, &tl) {
					if i != tc.tooBig || tl.Limit != max || !bytes.HasPrefix([]byte(tc.in[1:]), tl.Head) || len(tl.Head) == 0 {
						t.Errorf("too large at %d (head %d bytes)", i, len(tl.Head))
					}
					got = append(got, "")
					continue
				}
				if err != nil {
					break
				}
				got = append(got, string(msg))
			}
			if !errors.Is(err, tc.last) {
				t.Errorf("ended with %v, want %v", err, tc.last)
			}
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("frames %q, want %q", got, tc.want)
			}
			if r.Skipped() != tc.skipped {
				t.Errorf("skipped %d, want %d", r.Skipped(), tc.skipped)
			}
		})
	}
}

// FuzzReader: any stream gives frames, a too-large error, EOF or
// ErrIncomplete, never a panic, and a frame never holds VT or FS; what
// Frame writes reads back unchanged.
func FuzzReader(f *testing.F) {
	f.Add([]byte("\x0bMSH|^~\\&|A\rPID|1\x1c\r"), []byte("MSH|x"))
	f.Add([]byte("\x0b\x0b\x1c\x1c\r\r"), []byte(""))
	f.Add([]byte("junk\x0bhalf"), []byte("a\rb"))
	f.Fuzz(func(t *testing.T, stream, msg []byte) {
		fuzztest.Run(t, func() error {
			r := NewReader(bytes.NewReader(stream), 256)
			for range 1000 {
				m, err := r.Next()
				var tl *TooLargeError
				if errors.As(err, &tl) {
					continue
				}
				if err != nil {
					if !errors.Is(err, io.EOF) && !errors.Is(err, ErrIncomplete) {
						return fmt.Errorf("unexpected error %v", err)
					}
					break
				}
				if bytes.IndexByte(m, StartBlock) >= 0 || bytes.IndexByte(m, EndBlock) >= 0 || len(m) > 256 {
					return fmt.Errorf("frame %q", m)
				}
			}
			if bytes.IndexByte(msg, StartBlock) >= 0 || bytes.IndexByte(msg, EndBlock) >= 0 {
				return nil
			}
			back, err := NewReader(bytes.NewReader(Frame(msg)), 1<<20).Next()
			if err != nil || !bytes.Equal(back, msg) {
				return fmt.Errorf("Frame round trip: %q, %v", back, err)
			}
			return nil
		})
	})
}
