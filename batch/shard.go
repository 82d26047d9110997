package batch

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
)

// Shard is one part of an input split for parallel batches (a Kubernetes
// Indexed Job: one pod per index). Input k (0-based, in input order,
// blank lines not counted) belongs to shard k mod Count, so every shard
// knows its inputs from the input alone, and a rerun takes the same ones.
type Shard struct {
	Index int
	Count int
}

// MaxShards bounds Count: far more pods than any archive needs, small
// enough that verifying reads a bounded number of folders.
const MaxShards = 10000

// ShardFile is the file in a shard's folder that records which shard of
// how many the folder holds, so a resumed run cannot mix two splits.
const ShardFile = "shard.json"

// Sharded reports whether s splits the input at all.
func (s Shard) Sharded() bool { return s.Count > 1 }

// Has reports whether the input of rank ord belongs to the shard.
func (s Shard) Has(ord int) bool { return !s.Sharded() || ord%s.Count == s.Index }

// size returns how many of n inputs belong to the shard.
func (s Shard) size(n int) int {
	if !s.Sharded() {
		return n
	}
	k := n / s.Count
	if s.Index < n%s.Count {
		k++
	}
	return k
}

func (s Shard) check() error {
	switch {
	case s.Count < 0 || s.Count > MaxShards:
		return fmt.Errorf("batch: shard count %d: must be 1 to %d", s.Count, MaxShards)
	case s.Index < 0 || (s.Sharded() && s.Index >= s.Count) || (!s.Sharded() && s.Index != 0):
		return fmt.Errorf("batch: shard index %d: must be 0 to %d (one less than the shard count)", s.Index, max(s.Count, 1)-1)
	}
	return nil
}

// String names the shard as its folder does: "shard-2-of-8".
func (s Shard) String() string { return fmt.Sprintf("shard-%d-of-%d", s.Index, s.Count) }

// ShardDir is the folder of shard s under the batch's output folder; an
// unsharded batch writes to out itself.
func ShardDir(out string, s Shard) string {
	if !s.Sharded() {
		return out
	}
	return filepath.Join(out, s.String())
}

var shardDirName = regexp.MustCompile(`^shard-(\d{1,5})-of-(\d{1,5})$`)

// parseShardDir reads a folder name made by ShardDir.
func parseShardDir(name string) (Shard, bool) {
	m := shardDirName.FindStringSubmatch(name)
	if m == nil {
		return Shard{}, false
	}
	i, _ := strconv.Atoi(m[1])
	n, _ := strconv.Atoi(m[2])
	s := Shard{Index: i, Count: n}
	return s, s.Sharded() && s.check() == nil
}

// claimShard records the shard in dir's ShardFile, or checks that the
// folder holds the same shard already: resuming shard 1 of 3 into a
// folder that shard 1 of 4 began would record inputs of two splits.
func claimShard(dir string, s Shard) error {
	path := filepath.Join(dir, ShardFile)
	want := shardRecord{Index: s.Index, Count: max(s.Count, 1)}
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		var have shardRecord
		if err := json.Unmarshal(b, &have); err != nil {
			return fmt.Errorf("batch: %s in the output folder is not a shard record: %w", ShardFile, err)
		}
		if have != want {
			return fmt.Errorf("batch: the output folder holds shard %d of %d, not %d of %d: use the arguments it was started with, or a fresh folder",
				have.Index, have.Count, want.Index, want.Count)
		}
		return nil
	case !errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("batch: %s: %w", ShardFile, err)
	}
	if !s.Sharded() {
		return nil // an unsharded folder stays as it always was
	}
	b, _ = json.Marshal(want)
	if err := writeAtomic(dir, ShardFile, append(b, '\n')); err != nil {
		return fmt.Errorf("batch: %s: %w", ShardFile, err)
	}
	return syncDir(dir)
}

type shardRecord struct {
	Index int `json:"index"`
	Count int `json:"count"`
}
