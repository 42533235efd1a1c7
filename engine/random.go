package engine

import (
	"encoding/binary"
	"encoding/hex"
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
	var u [16]byte
	binary.BigEndian.PutUint64(u[:8], r.Uint64())
	binary.BigEndian.PutUint64(u[8:], r.Uint64())
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:], u[10:])
	return string(b[:])
}

// randomContainerID returns a runtime container id: "containerd://" and
// 64 hex digits drawn from r.
func randomContainerID(r *rand.Rand) string {
	const prefix = "containerd://"
	var raw [32]byte
	for i := 0; i < len(raw); i += 8 {
		binary.BigEndian.PutUint64(raw[i:], r.Uint64())
	}
	var b [len(prefix) + 64]byte
	copy(b[:], prefix)
	hex.Encode(b[len(prefix):], raw[:])
	return string(b[:])
}
