package batch

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// maxListed bounds the examples a Verify report lists per kind of
// problem; the counts are always complete.
const maxListed = 10

// Problems counts one kind of problem and lists the first few inputs it
// concerns, by key ("line:12", "file:a.json").
type Problems struct {
	Count int
	First []string
}

func (p *Problems) add(key string) {
	p.Count++
	if len(p.First) < maxListed {
		p.First = append(p.First, key)
	}
}

// VerifyReport is what Verify found.
type VerifyReport struct {
	// Inputs is how many records the input holds.
	Inputs int
	// Shards is how many shards the output folder holds (1 when the batch
	// was not sharded).
	Shards int
	// Recorded counts the outcomes recorded over all shards.
	Recorded Counts
	// Documents is how many output files of ok records were found.
	Documents int
	// MissingShards lists shard folders that do not exist.
	MissingShards []string
	// Missing: inputs no shard recorded. Duplicated: inputs recorded more
	// than once. Misplaced: recorded by a shard they do not belong to.
	// Unknown: records of inputs the input does not hold. NoOutput: ok
	// records whose document files are missing or empty.
	Missing, Duplicated, Misplaced, Unknown, NoOutput Problems
}

// OK reports whether the shards account for every input exactly once,
// each with its documents.
func (r *VerifyReport) OK() bool {
	return len(r.MissingShards) == 0 && r.Missing.Count+r.Duplicated.Count+r.Misplaced.Count+r.Unknown.Count+r.NoOutput.Count == 0
}

// Verify proves that the batch (or the shards of a split batch) in out
// accounts for every input of in exactly once: each input recorded by
// one shard, the one it belongs to, and each ok record's documents on
// disk. out is the folder given to every shard as its output folder:
// either it holds shard-<i>-of-<n> folders (ShardDir), all of one n, or
// it is itself the folder of an unsharded batch. A results file cut short
// by a crash counts up to its last whole line, as a resumed run would.
// An error means the check could not be made (unreadable input or
// folders), not that it failed.
func Verify(in, out string) (*VerifyReport, error) {
	shards, err := findShards(out)
	if err != nil {
		return nil, err
	}
	rep := &VerifyReport{Shards: max(shards[0].Count, 1)}

	// Every input's key and the shard it belongs to.
	ords := map[string]int{}
	src, err := Open(in)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	for {
		rec, err := src.Next(func(*Input) bool { return false })
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		ords[rec.Key()] = rec.Ord
	}
	rep.Inputs = len(ords)

	seen := make(map[string]bool, len(ords))
	for _, s := range shards {
		dir := ShardDir(out, s)
		f, err := os.Open(filepath.Join(dir, ResultsName))
		if errors.Is(err, os.ErrNotExist) {
			rep.MissingShards = append(rep.MissingShards, filepath.Base(dir))
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("batch: verify: %w", err)
		}
		recs, _, err := readRecords(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("batch: verify %s: %w", filepath.Base(dir), err)
		}
		for i := range recs {
			r := &recs[i]
			key := r.Key()
			ord, known := ords[key]
			switch {
			case !known:
				rep.Unknown.add(key)
				continue
			case seen[key]:
				rep.Duplicated.add(key)
				continue
			case !s.Has(ord):
				rep.Misplaced.add(key)
			}
			seen[key] = true
			rep.Recorded.add(r.Status)
			if r.Status != StatusOK {
				continue
			}
			for _, o := range r.Outputs {
				if st, err := os.Stat(filepath.Join(dir, o)); err != nil || st.Size() == 0 || strings.ContainsAny(o, `/\`) {
					rep.NoOutput.add(key)
					break
				}
				rep.Documents++
			}
			if len(r.Outputs) == 0 {
				rep.NoOutput.add(key)
			}
		}
	}
	keys := make([]string, 0, len(ords))
	for k := range ords {
		if !seen[k] {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b string) int { return ords[a] - ords[b] })
	for _, k := range keys {
		rep.Missing.add(k)
	}
	return rep, nil
}

// findShards returns the shards whose folders out holds (every index of
// their count, folders present or not), or the one unsharded batch out is.
func findShards(out string) ([]Shard, error) {
	entries, err := os.ReadDir(out)
	if err != nil {
		return nil, fmt.Errorf("batch: verify: output folder: %w", err)
	}
	count := 0
	for _, e := range entries {
		s, ok := parseShardDir(e.Name())
		if !ok || !e.IsDir() {
			continue
		}
		if count != 0 && s.Count != count {
			return nil, fmt.Errorf("batch: verify: %s holds shards of two splits (of %d and of %d): verify one split per folder", out, count, s.Count)
		}
		count = s.Count
	}
	if count == 0 {
		return []Shard{{}}, nil
	}
	shards := make([]Shard, count)
	for i := range shards {
		shards[i] = Shard{Index: i, Count: count}
	}
	return shards, nil
}
