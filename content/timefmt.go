package content

import (
	"errors"
	"regexp"
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

// partialDate is a date known to the year or the month.
var partialDate = regexp.MustCompile(`^[0-9]{4}(-[0-9]{2})?$`)

// ParseBirthDate parses a birth date known to the day ("YYYY-MM-DD"), the
// month ("YYYY-MM") or the year ("YYYY"), as archives hold them. It
// returns the first day the date can mean, for range checks, and the date
// as an HL7 TS of the same precision ("19520314", "195203", "1952"). A
// DICOM DA takes only the full form (PS3.5 Table 6.2-1), so callers
// writing DA use the TS only when it has eight digits.
func ParseBirthDate(s string) (first time.Time, ts string, err error) {
	if len(s) == len(time.DateOnly) {
		t, err := ParseDate(s)
		if err != nil {
			return time.Time{}, "", err
		}
		return t, t.Format("20060102"), nil
	}
	if !partialDate.MatchString(s) {
		return time.Time{}, "", errors.New("is not a date in the form YYYY-MM-DD, YYYY-MM or YYYY")
	}
	layout, tsLayout := "2006", "2006"
	if len(s) == len("2006-01") {
		layout, tsLayout = "2006-01", "200601"
	}
	t, err := time.Parse(layout, s)
	if err != nil {
		return time.Time{}, "", errors.New("is not a date in the form YYYY-MM-DD, YYYY-MM or YYYY: the month is not 01 to 12")
	}
	return t, t.Format(tsLayout), nil
}
