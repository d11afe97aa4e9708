//go:build race

package ui

// demoCycles is shorter under the race detector, which slows the demo's 200 cycles twenty
// times; the memory figure comes from the ordinary run.
const demoCycles = 40
