package sr

import (
	"testing"

	"github.com/suyashkumar/dicom/pkg/tag"
)

// TestVRCache: the cache gives the dictionary's VR for every tag, also
// once it holds more tags than it has slots, and refuses tags outside
// the dictionary without keeping them.
func TestVRCache(t *testing.T) {
	var c vrCache
	var tags []tag.Tag
	for _, g := range []uint16{0x0008, 0x0010, 0x0020, 0x0040} {
		for e := range uint16(0x2000) {
			if _, ok := findVR(tag.Tag{Group: g, Element: e}); ok {
				tags = append(tags, tag.Tag{Group: g, Element: e})
			}
		}
	}
	if len(tags) <= vrCacheSlots {
		t.Fatalf("only %d dictionary tags to try, want more than %d", len(tags), vrCacheSlots)
	}
	for round := range 2 {
		for _, tg := range tags {
			want, _ := findVR(tg)
			if got, ok := c.lookup(tg); !ok || got != want {
				t.Fatalf("round %d: %v gives %q, %v; the dictionary says %q", round, tg, got, ok, want)
			}
		}
	}
	unknown := tag.Tag{Group: 0x0009, Element: 0x1001}
	for range 2 {
		if vr, ok := c.lookup(unknown); ok {
			t.Errorf("private tag %v gives VR %q", unknown, vr)
		}
	}
}
