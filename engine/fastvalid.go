package engine

// Fast acceptance checks for the names and labels the API server validates.
// They accept exactly what apimachinery's validators accept (a test checks
// this on many strings) and exist because they run on every create: when a
// check fails, admission asks apimachinery for the error message.

func isAlnumLower(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

func isAlnum(c byte) bool { return isAlnumLower(c) || c >= 'A' && c <= 'Z' }

// validDNS1123Label: [a-z0-9]([-a-z0-9]*[a-z0-9])?, at most 63.
func validDNS1123Label(s string) bool {
	if len(s) == 0 || len(s) > 63 || !isAlnumLower(s[0]) || !isAlnumLower(s[len(s)-1]) {
		return false
	}
	for i := 1; i < len(s)-1; i++ {
		if c := s[i]; !isAlnumLower(c) && c != '-' {
			return false
		}
	}
	return true
}

// validDNS1123Subdomain: dot-separated DNS-1123 labels, at most 253.
func validDNS1123Subdomain(s string) bool {
	if len(s) == 0 || len(s) > 253 {
		return false
	}
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == '.' {
			label := s[start:i]
			if len(label) == 0 || !isAlnumLower(label[0]) || !isAlnumLower(label[len(label)-1]) {
				return false
			}
			for j := 1; j < len(label)-1; j++ {
				if c := label[j]; !isAlnumLower(c) && c != '-' {
					return false
				}
			}
			start = i + 1
		}
	}
	return true
}

// validLabelName: ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9], at most 63;
// empty allowed when allowEmpty (label values).
func validLabelName(s string, allowEmpty bool) bool {
	if len(s) == 0 {
		return allowEmpty
	}
	if len(s) > 63 || !isAlnum(s[0]) || !isAlnum(s[len(s)-1]) {
		return false
	}
	for i := 1; i < len(s)-1; i++ {
		if c := s[i]; !isAlnum(c) && c != '-' && c != '_' && c != '.' {
			return false
		}
	}
	return true
}

// validQualifiedName: an optional DNS-1123 subdomain prefix and "/", then
// a label name.
func validQualifiedName(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '/' {
			return validDNS1123Subdomain(s[:i]) && validLabelName(s[i+1:], false)
		}
	}
	return validLabelName(s, false)
}
