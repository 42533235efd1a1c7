package engine

// The engine's tests hold the engine to the promises its fast paths rely
// on; the scale benchmarks, which measure those paths, turn the checks off.
func init() { checkReplace = true }

// measureUnchecked turns the checks off for the rest of benchmark b.
func measureUnchecked(b interface{ Cleanup(func()) }) {
	checkReplace = false
	b.Cleanup(func() { checkReplace = true })
}

// MeasureUnchecked is measureUnchecked for the package's external tests.
var MeasureUnchecked = measureUnchecked
