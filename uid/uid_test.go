package uid

import (
	"errors"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		in   string
		want error
	}{
		{"1.2.840.10008.5.1.4.1.1.88.22", nil},
		{"2.25.0", nil},
		{"", ErrEmpty},
		{"1.2.", ErrSyntax},
		{".1.2", ErrSyntax},
		{"1..2", ErrSyntax},
		{"1.02", ErrZeroLead},
		{"1.2.a", ErrSyntax},
		{"12", ErrOneNumber},
		{"3.1", ErrSyntax},
		{"f81d4fae-7dec-11d0-a765-00a0c91e6bf6", ErrSyntax},
		{"1." + strings.Repeat("1", 63), ErrTooLong},
	}
	for _, tt := range tests {
		err := Check(tt.in)
		if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
			t.Errorf("Check(%q) = %v, want %v", tt.in, err, tt.want)
		}
	}
}

func TestGenerator(t *testing.T) {
	var g Generator
	seen := map[string]bool{}
	for range 1000 {
		u := g.New()
		if err := Check(u); err != nil {
			t.Fatalf("New() = %q: %v", u, err)
		}
		if !strings.HasPrefix(u, "2.25.") || len(u) > 44 {
			t.Fatalf("New() = %q, want 2.25.<at most 39 digits>", u)
		}
		if seen[u] {
			t.Fatalf("New() repeated %q", u)
		}
		seen[u] = true
	}
	a, b := g.Derive("ns", "ab", "c"), g.Derive("ns", "a", "bc")
	if a == b {
		t.Errorf("Derive ignores part boundaries: %q", a)
	}
	if a != g.Derive("ns", "ab", "c") {
		t.Errorf("Derive is not deterministic")
	}
	if g.Derive("ns2", "ab", "c") == a {
		t.Errorf("Derive ignores the namespace")
	}
	org, err := NewGenerator("1.2.826.0.1.3680043.10.999")
	if err != nil {
		t.Fatal(err)
	}
	if u := org.New(); !strings.HasPrefix(u, "1.2.826.0.1.3680043.10.999.") || Check(u) != nil {
		t.Errorf("org New() = %q", u)
	}
	if _, err := NewGenerator("1.2.3.4.5.6.7.8.9.10.11.12.13.14.15.16"); err == nil {
		t.Errorf("NewGenerator accepted a root that leaves no room")
	}
}
