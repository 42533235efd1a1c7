package engine

import (
	"fmt"
	"math/rand/v2"
)

// nameSuffixAlphabet is the alphabet the API server uses for generateName
// suffixes: no vowels (no accidental words) and no look-alike characters.
const nameSuffixAlphabet = "bcdfghjklmnpqrstvwxz2456789"

// newRand returns the cluster's random source for seed.
func newRand(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// randomSuffix returns n characters from nameSuffixAlphabet.
func randomSuffix(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = nameSuffixAlphabet[r.IntN(len(nameSuffixAlphabet))]
	}
	return string(b)
}

// randomUID returns a version 4 UUID drawn from r.
func randomUID(r *rand.Rand) string {
	a, b := r.Uint64(), r.Uint64()
	return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x",
		a>>32, (a>>16)&0xffff, a&0x0fff, (b>>48)&0x3fff|0x8000, b&0xffffffffffff)
}

// randomHex returns n lowercase hex digits drawn from r.
func randomHex(r *rand.Rand, n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[r.IntN(16)]
	}
	return string(b)
}
