//go:build race

package main

// raceEnabled: the tests run under the race detector, where rendering is
// many times slower; the corpus test then renders a small part of the
// corpus (the plain run renders all of it).
const raceEnabled = true
