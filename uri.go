package reportgen

import (
	"strconv"
	"strings"
)

// A telecom value becomes TEL/@value in the CDA, an xs:anyURI. libxml2,
// whose verdict is the XSD's here, first replaces the characters XLink
// would escape (controls, space, non-ASCII bytes and < > " { } | \ ^ `
// ') and then parses the result as an RFC 3986 URI. isURI applies RFC
// 3986's grammar to the same replacement, so a value it accepts is one
// the schema accepts; it is a little stricter than libxml2 in corners no
// contact URI uses (a bracket in a fragment, an IP literal's contents, a
// port above 65535), and like libxml2 refuses an empty port.

// anyURIEscaped are the ASCII characters libxml2 replaces before parsing
// an xs:anyURI.
const anyURIEscaped = " <>\"{}|\\^`'"

// isURI reports whether s is an absolute URI (scheme ":" hier-part
// ["?" query] ["#" fragment], RFC 3986 §3) once the characters an
// xs:anyURI may hold unescaped are taken as escaped.
func isURI(s string) bool {
	b := []byte(s)
	for i, c := range b {
		if c < 0x20 || c >= 0x7f || strings.IndexByte(anyURIEscaped, c) >= 0 {
			b[i] = '_'
		}
	}
	s = string(b)
	scheme, rest, ok := strings.Cut(s, ":")
	if !ok || !isScheme(scheme) {
		return false
	}
	rest, fragment, hasFragment := strings.Cut(rest, "#")
	if hasFragment && !allPchars(fragment, "/?") {
		return false
	}
	rest, query, hasQuery := strings.Cut(rest, "?")
	if hasQuery && !allPchars(query, "/?") {
		return false
	}
	if auth, ok := strings.CutPrefix(rest, "//"); ok {
		end := strings.IndexByte(auth, '/')
		if end < 0 {
			end = len(auth)
		}
		if !isAuthority(auth[:end]) {
			return false
		}
		rest = auth[end:]
	}
	// path-abempty, path-absolute, path-rootless or path-empty: segments
	// of pchars between slashes ("//" cannot start a path here, the
	// authority took it).
	return allPchars(rest, "/")
}

func isScheme(s string) bool {
	if s == "" || !isAlpha(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !isAlpha(c) && !isDigit(c) && c != '+' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

// isAuthority: [userinfo "@"] host [":" port].
func isAuthority(a string) bool {
	if at := strings.LastIndexByte(a, '@'); at >= 0 {
		if !allOf(a[:at], ":") {
			return false
		}
		a = a[at+1:]
	}
	host, port, hasPort := a, "", false
	if strings.HasPrefix(a, "[") {
		end := strings.IndexByte(a, ']')
		if end < 0 || !isIPLiteral(a[1:end]) {
			return false
		}
		host, port = a[:end+1], a[end+1:]
		if port != "" {
			if port[0] != ':' {
				return false
			}
			port, hasPort = port[1:], true
		}
	} else if i := strings.IndexByte(a, ':'); i >= 0 {
		host, port, hasPort = a[:i], a[i+1:], true
	}
	// RFC 3986 allows an empty port after the colon; libxml2 does not.
	if hasPort {
		n, err := strconv.Atoi(port)
		if err != nil || n < 0 || n > 65535 || strings.Trim(port, "0123456789") != "" {
			return false
		}
	}
	return strings.HasPrefix(host, "[") || allOf(host, "")
}

// isIPLiteral: the inside of [ ]: an IPv6 address or IPvFuture, taken
// by its characters (hex digits, colons and dots; or "v" hex "." then
// unreserved, sub-delims and colons).
func isIPLiteral(s string) bool {
	if s == "" {
		return false
	}
	if s[0] == 'v' || s[0] == 'V' {
		ver, rest, ok := strings.Cut(s[1:], ".")
		return ok && ver != "" && strings.Trim(ver, "0123456789abcdefABCDEF") == "" && rest != "" && allOf(rest, ":") && !strings.Contains(rest, "%")
	}
	return strings.Trim(s, "0123456789abcdefABCDEF:.") == "" && strings.Contains(s, ":")
}

// allPchars: every character a pchar (unreserved, pct-encoded,
// sub-delims, ":" or "@") or one of extra.
func allPchars(s, extra string) bool { return allOf(s, ":@"+extra) }

// allOf: every character unreserved, a sub-delim or one of extra, and
// every "%" the start of a pct-encoded octet.
func allOf(s, extra string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isAlpha(c), isDigit(c), strings.IndexByte("-._~", c) >= 0, strings.IndexByte("!$&'()*+,;=", c) >= 0:
		case c == '%':
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return false
			}
			i += 2
		case strings.IndexByte(extra, c) >= 0:
		default:
			return false
		}
	}
	return true
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isHex(c byte) bool   { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }
