package batch

import (
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// hint is a remote failure that a rerun cannot mend: the client and the
// servers disagree about transport security or credentials.
type hint struct {
	code   codes.Code // the status code, or codes.OK to match on text alone
	text   string     // a fragment of the error's text; "" matches any
	fix    string
	config bool // a configuration mismatch: retrying is pointless
}

// plaintextToTLS is the fix for a plaintext client that dialled TLS servers.
const plaintextToTLS = "the servers closed the connection at once, as a TLS server does to a plaintext client: add --tls (and --tls-ca when a private CA signed their certificate)"

// hints are tried in order; the first that matches names the fix. The
// fragments are the ones grpc-go and crypto/tls put in their errors.
var hints = []hint{
	{codes.Unauthenticated, "", "the servers want a bearer token this batch did not send or they do not accept: give --token-file with a token listed in the servers' --auth-token-file", true},
	{codes.PermissionDenied, "", "the servers refused this client's credentials: check its token (--token-file) and certificate (--tls-cert)", true},
	{codes.OK, "first record does not look like a TLS handshake", "the servers speak plaintext: drop --tls, --tls-ca, --tls-cert (or start the servers with --tls-cert and --tls-key)", true},
	{codes.OK, "tls: certificate required", "the servers require mutual TLS: give --tls-cert and --tls-key with a client certificate their --tls-client-ca accepts", true},
	// TLS 1.2 servers refuse a missing client certificate with this generic alert.
	{codes.OK, "remote error: tls: handshake failure", "the servers ended the TLS handshake: they may require mutual TLS (give --tls-cert and --tls-key with a client certificate their --tls-client-ca accepts)", true},
	{codes.OK, "certificate signed by unknown authority", "the servers' certificate is not signed by a CA this batch trusts: give --tls-ca with the CA that signed it", true},
	{codes.OK, "x509: certificate is valid for", "the servers' certificate does not name the address dialled: use a host name or IP address the certificate lists in --server", true},
	{codes.OK, "certificate has expired or is not yet valid", "the servers' certificate has expired or is not yet valid (or this machine's clock is wrong): renew it", true},
	{codes.OK, "bad certificate", "the servers rejected this client's certificate: give --tls-cert and --tls-key with one their --tls-client-ca accepts", true},
	// A TLS server answers a plaintext HTTP/2 preface by closing. The client
	// reads EOF, or a reset when the close finds the client's SETTINGS frame
	// still unread in the server's socket: which one is a race.
	{codes.Unavailable, "error reading server preface: EOF", plaintextToTLS, false},
	{codes.Unavailable, "error reading server preface: connection reset by peer", plaintextToTLS, false},
	{codes.Unavailable, "connection refused", "nothing listens at the --server address: start the servers or fix the address, then rerun with the same arguments", false},
}

// Hint returns what to change when err, from a remote batch, says the
// client and the servers do not fit together (credentials, TLS on one side
// only, an untrusted certificate, no server at the address), or "" when it
// says nothing of the kind. Messages name flags, never data.
func Hint(err error) string {
	h, ok := findHint(err)
	if !ok {
		return ""
	}
	return h.fix
}

func findHint(err error) (hint, bool) {
	if err == nil {
		return hint{}, false
	}
	code := status.Code(err)
	if st, ok := status.FromError(err); ok {
		code = st.Code()
	}
	msg := err.Error()
	for _, h := range hints {
		if h.code != codes.OK && h.code != code {
			continue
		}
		if h.text == "" || strings.Contains(msg, h.text) {
			return h, true
		}
	}
	return hint{}, false
}

// misconfigured reports whether err is a mismatch of configuration that
// no retry can mend, so a stream gives up at once instead of backing off.
func misconfigured(err error) bool {
	h, ok := findHint(err)
	return ok && h.config
}
