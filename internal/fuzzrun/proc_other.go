//go:build !unix

package main

import "os/exec"

// setProcessGroup: elsewhere runs share the runner's process group.
func setProcessGroup(*exec.Cmd) {}

// interrupt: without signals to send, a run is killed; its workers stop
// when their pipes close, and the corpus found so far stays in the cache.
func interrupt(cmd *exec.Cmd) { _ = cmd.Process.Kill() }

// killGroup kills the coordinator.
func killGroup(cmd *exec.Cmd) { _ = cmd.Process.Kill() }
