package engine

import (
	"cmp"
	"slices"
)

// sortedMapKeys returns the keys of m in order, so that loops over maps are
// deterministic.
func sortedMapKeys[K cmp.Ordered, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
