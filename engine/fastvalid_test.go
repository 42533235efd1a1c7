package engine

import (
	"math/rand/v2"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/validation"
)

// TestFastValidatorsAgreeWithAPIMachinery checks the fast paths against
// the library they stand in for, on hand-picked and random strings.
func TestFastValidatorsAgreeWithAPIMachinery(t *testing.T) {
	cases := []string{"", "a", "A", "-", "a-", "-a", "a.b", "a..b", ".a", "a.", "web-1", "Web", "a_b", "a/b", "x/", "/x",
		"example.com/name", "example.com/", "kubernetes.io/hostname", "a/b/c", "1", "9a", "a-b-c", "a.b-c.d",
		strings.Repeat("a", 63), strings.Repeat("a", 64), strings.Repeat("a.", 126) + "a", strings.Repeat("a.", 127) + "a",
		"my_label.value", "_x", "x_", "x.", "ü"}
	r := rand.New(rand.NewPCG(1, 2))
	const alphabet = "ab0Z-_./"
	for range 20000 {
		b := make([]byte, r.IntN(12))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		cases = append(cases, string(b))
	}
	for _, s := range cases {
		if got, want := validDNS1123Label(s), len(validation.IsDNS1123Label(s)) == 0; got != want {
			t.Errorf("validDNS1123Label(%q) = %v, apimachinery says %v", s, got, want)
		}
		if got, want := validDNS1123Subdomain(s), len(validation.IsDNS1123Subdomain(s)) == 0; got != want {
			t.Errorf("validDNS1123Subdomain(%q) = %v, apimachinery says %v", s, got, want)
		}
		if got, want := validQualifiedName(s), len(validation.IsQualifiedName(s)) == 0; got != want {
			t.Errorf("validQualifiedName(%q) = %v, apimachinery says %v", s, got, want)
		}
		if got, want := validLabelName(s, true), len(validation.IsValidLabelValue(s)) == 0; got != want {
			t.Errorf("validLabelName(%q, true) = %v, apimachinery label value says %v", s, got, want)
		}
	}
}
