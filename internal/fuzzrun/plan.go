package main

import "time"

// A budget is spent in one run per target. A target starting when
// remaining wall time is left and left targets (itself included) have yet
// to run gets an equal share of it, and runs for that share at most; it
// stops early once it has reached the exec goal and fuzzed for a quarter
// of its share, so a fast target hands its unused time on to those after
// it. No target borrows from those after it: a slow target that took
// several shares left the targets at the end of the list with the floor
// only, which is worse than every target getting its share. A target a
// branch adds is served like the others with nothing to configure. Each
// target runs once, so its corpus is not replayed a second time.

// floor is the least fuzzing time a target gets, however little is left.
const floor = 4 * time.Second

// allot returns the share of a target starting now and the most it may
// run, jobs targets running at once. The most is the share: time flows
// from fast targets to later ones, never from later ones to earlier.
func allot(remaining time.Duration, left, jobs int) (share, most time.Duration) {
	if left < 1 {
		left = 1
	}
	share = max(floor, remaining*time.Duration(jobs)/time.Duration(left))
	share = share.Truncate(100 * time.Millisecond)
	return share, share
}

// enough says whether a run that has fuzzed for elapsed, with execs done
// so far, should stop: past its most, or with the goal reached after a
// quarter of its share. A goal of 0 is none (runs of a fixed length).
func enough(elapsed, share, most time.Duration, execs, goal int64) bool {
	return elapsed >= most || (goal > 0 && elapsed >= share/4 && execs >= goal)
}
