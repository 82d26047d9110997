package server

import "testing"

func TestStreamsPerConnection(t *testing.T) {
	tests := []struct {
		calls int
		want  uint32
	}{
		{-1, 0},
		{0, 0},
		{1, 18},
		{DefaultLimits().MaxConcurrentCalls, 2*256 + 16},
		{MaxLimits().MaxConcurrentCalls, 2<<16 + 16},
		{1 << 19, 1<<20 + 16},
		{1 << 62, 1<<20 + 16}, // would overflow if doubled first
	}
	for _, tt := range tests {
		if got := streamsPerConnection(tt.calls); got != tt.want {
			t.Errorf("streamsPerConnection(%d) = %d, want %d", tt.calls, got, tt.want)
		}
	}
}

func TestLimitsWithin(t *testing.T) {
	huge := Limits{MaxMessageBytes: 1 << 40, StreamWorkers: 1 << 40, StreamInFlight: 1 << 40, MaxConcurrentCalls: 1 << 40, EngineWorkers: 1 << 40}
	if got, want := huge.within(), MaxLimits(); got != want {
		t.Errorf("within(huge) = %+v, want MaxLimits %+v", got, want)
	}
	if d := DefaultLimits(); d.within() != d {
		t.Errorf("within(defaults) = %+v, want the defaults %+v unchanged", d.within(), d)
	}
}
