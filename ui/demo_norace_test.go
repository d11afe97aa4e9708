//go:build !race

package ui

// demoCycles is how many cycles TestDemoCycles plays (BENCHMARKS.md reports its figures).
const demoCycles = 200
