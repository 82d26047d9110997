package sr_test

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"slices"
	"testing"

	"github.com/suyashkumar/dicom/pkg/tag"

	"github.com/reportgen/reportgen/content"
	"github.com/reportgen/reportgen/content/contenttest"
	"github.com/reportgen/reportgen/sr"
)

// encodedExamples returns each example (LOINC headings) encoded.
func encodedExamples(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, ex := range contenttest.Load(t, content.Options{}) {
		b, err := sr.Encode(ex.Doc)
		if err != nil {
			t.Fatalf("%s: %v", ex.Name, err)
		}
		out[ex.Name] = b
	}
	return out
}

var (
	tagTransferSyntax = tag.TransferSyntaxUID
	tagTextValue      = tag.TextValue
)

// deflate rewrites an Explicit VR Little Endian file as Deflated Explicit VR
// Little Endian (PS3.5 A.5): the same meta information with the other
// Transfer Syntax UID, and the dataset compressed with raw deflate.
func deflate(t *testing.T, b []byte) []byte {
	t.Helper()
	const metaStart = 132 + 12 // after DICM and the group length element
	groupLen := int(binary.LittleEndian.Uint32(b[140:]))
	meta, ds := b[metaStart:metaStart+groupLen], b[metaStart+groupLen:]
	old := append([]byte("1.2.840.10008.1.2.1"), 0)
	i := bytes.Index(meta, old)
	if i < 8 {
		t.Fatal("no Explicit VR Little Endian transfer syntax in the meta information")
	}
	ts := []byte("1.2.840.10008.1.2.1.99")
	var newMeta []byte
	newMeta = append(newMeta, meta[:i-2]...)
	newMeta = binary.LittleEndian.AppendUint16(newMeta, uint16(len(ts)))
	newMeta = append(newMeta, ts...)
	newMeta = append(newMeta, meta[i+len(old):]...)
	var z bytes.Buffer
	w, err := flate.NewWriter(&z, flate.DefaultCompression)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(ds); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if z.Len()%2 == 1 {
		z.WriteByte(0)
	}
	out := slices.Clone(b[:140])
	out = binary.LittleEndian.AppendUint32(out, uint32(len(newMeta)))
	out = append(out, newMeta...)
	return append(out, z.Bytes()...)
}
