package main

import "time"

// A budget is spent in one run per target, stopped when it has had
// enough. A target starting when remaining wall time is left and left
// targets (itself included) have yet to run gets an equal share of it;
// once past that share it stops as soon as it has reached the exec goal,
// and a slow target (the full request-to-documents path) runs on towards
// the goal for up to three shares, as long as every target after it keeps
// a floor. A fast target thus hands its unused time on to those after it,
// a slow one borrows from them, and a target a branch adds is served like
// the others with nothing to configure. Each target runs once, so its
// corpus is not replayed a second time.

// floor is the least fuzzing time a target after the current one keeps.
const floor = 4 * time.Second

// allot returns the share of a target starting now and the most it may
// run, jobs targets running at once.
func allot(remaining time.Duration, left, jobs int) (share, most time.Duration) {
	if left < 1 {
		left = 1
	}
	share = max(floor, remaining*time.Duration(jobs)/time.Duration(left))
	// What the targets after this one must keep, over the slots.
	keep := time.Duration(left-1) * floor / time.Duration(jobs)
	most = max(share, min(3*share, remaining-keep))
	return share.Truncate(100 * time.Millisecond), most.Truncate(100 * time.Millisecond)
}

// enough says whether a run that has fuzzed for elapsed, with execs done
// so far, should stop: past its most, or past its share with the goal
// reached.
func enough(elapsed, share, most time.Duration, execs, goal int64) bool {
	return elapsed >= most || (elapsed >= share && execs >= goal)
}
