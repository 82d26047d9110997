// Package batch regenerates reports in bulk. It reads GenerateReportRequest
// records in protojson (one per line of a JSONL file, or one per *.json
// file of a folder), renders them with an in-process engine (Local) or
// through the GenerateReports stream of one or more servers (Remote),
// writes each document under a name of its own, and logs one result line
// per input to a results file.
//
// The results file is what makes a batch resumable and loss-free:
//
//   - every document is written to a temporary name, synced and renamed, so
//     a file under a final name is always complete;
//   - a result line is appended only after its documents are renamed and
//     the folder is synced; lines are appended in groups with one write and
//     one fsync per group, so a crash loses at most the last group, whose
//     inputs are then simply done again;
//   - on start, a trailing partial line (a write cut short by a crash) is
//     truncated, every recorded input is skipped, and the rest are done.
//
// So across any number of killed and resumed runs with the same arguments
// the results file holds exactly one line per input.
//
// Output names are decided in input order, before any rendering, so they
// are the same on every run: the request_id when it is a safe file name,
// else the line number ("line-12") or the input file's name; a name already
// taken by an earlier input gets "--" and the input's position appended.
// Names are compared case-insensitively, so two inputs never share a file
// even on a case-insensitive file system.
package batch
