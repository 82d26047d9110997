package content

import (
	"errors"
	"time"
)

// ErrNoOffset is returned for a time without a UTC offset: both documents
// need the offset, and guessing one would misdate the report.
var ErrNoOffset = errors.New("needs a UTC offset, e.g. 2026-11-20T14:03:00-05:00 or ...Z")

var timeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00"}

// ParseTime parses an RFC 3339 time with a UTC offset, keeping the offset.
// Seconds may be omitted. The date must exist (2026-02-30 is rejected).
func ParseTime(s string) (time.Time, error) {
	var firstErr error
	for _, l := range timeLayouts {
		t, err := time.Parse(l, s)
		if err == nil {
			return t, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	if _, err := time.Parse("2006-01-02T15:04:05", s); err == nil {
		return time.Time{}, ErrNoOffset
	}
	if _, err := time.Parse("2006-01-02T15:04", s); err == nil {
		return time.Time{}, ErrNoOffset
	}
	return time.Time{}, errors.New("is not an RFC 3339 time such as 2026-11-20T14:03:00-05:00")
}

// ParseDate parses a YYYY-MM-DD date that exists.
func ParseDate(s string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, errors.New("is not an existing date in the form YYYY-MM-DD")
	}
	return t, nil
}
