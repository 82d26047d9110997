package content

import pb "github.com/reportgen/reportgen/proto/reportgen/v1"

// Notice is what a reader must be told before reading a report that is
// not a plain final one. Every view for people (the CDA narrative, the
// HTML page) shows the same words.
type Notice struct {
	// Label is the status in capitals, e.g. "PRELIMINARY REPORT".
	Label string
	// Text says what the status means for the reader.
	Text string
}

// StatusNotice returns the notice for a report status, and false for a
// final report, which needs none.
func StatusNotice(s pb.ReportStatus) (Notice, bool) {
	switch s {
	case pb.ReportStatus_REPORT_STATUS_PRELIMINARY:
		return Notice{"PRELIMINARY REPORT", "Not signed by a radiologist yet; the findings may change."}, true
	case pb.ReportStatus_REPORT_STATUS_CORRECTED:
		return Notice{"CORRECTED REPORT", "This report replaces an earlier version; read it instead of the earlier one."}, true
	case pb.ReportStatus_REPORT_STATUS_ADDENDUM:
		return Notice{"ADDENDUM", "This report adds to an earlier report of the same study, which remains valid."}, true
	}
	return Notice{}, false
}
