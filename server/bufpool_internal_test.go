package server

import "testing"

// TestMessagePoolFitsMessages checks that the buffer a message gets is
// never more than twice its size, in particular for responses just over
// grpc-go's default 32 KiB tier, which got a 1 MiB buffer each.
func TestMessagePoolFitsMessages(t *testing.T) {
	for _, size := range []int{1 << 10, 32<<10 + 1, 40 << 10, 300 << 10, 1<<20 + 1, 4 << 20} {
		b := messagePool.Get(size)
		if len(*b) != size || cap(*b) > 2*size {
			t.Errorf("Get(%d): len %d cap %d, want len %d and cap <= %d", size, len(*b), cap(*b), size, 2*size)
		}
		messagePool.Put(b)
	}
}
