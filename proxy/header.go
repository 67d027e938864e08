package proxy

import (
	"net"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"

	"github.com/idempotency-operator/idempotency-operator/proxy/store"
)

// hopByHop are the headers that describe one connection, not the message,
// and so are never forwarded or replayed (RFC 9110, section 7.6.1).
var hopByHop = []string{
	"Connection", "Proxy-Connection", "Keep-Alive", "Proxy-Authenticate",
	"Proxy-Authorization", "Te", "Trailer", "Transfer-Encoding", "Upgrade",
}

// removeHopByHop deletes hop-by-hop headers, including those the
// Connection header names.
func removeHopByHop(h http.Header) {
	for _, v := range h["Connection"] {
		for _, name := range strings.Split(v, ",") {
			if name = textproto.TrimString(name); name != "" {
				h.Del(name)
			}
		}
	}
	for _, name := range hopByHop {
		delete(h, name)
	}
}

// setForwarded tells the application who called, the same way on every
// path through the proxy. A sidecar is not the edge of the network: the
// client's X-Forwarded-For chain is extended, and the X-Forwarded-Host,
// X-Forwarded-Proto and Forwarded headers of a proxy in front (an ingress
// that terminated TLS, say) are kept; the proxy fills them in only when
// they are absent.
func setForwarded(out http.Header, in *http.Request) {
	if ip, _, err := net.SplitHostPort(in.RemoteAddr); err == nil {
		if prior := in.Header.Values("X-Forwarded-For"); len(prior) > 0 {
			ip = strings.Join(prior, ", ") + ", " + ip
		}
		out.Set("X-Forwarded-For", ip)
	}
	if v := in.Header.Values("Forwarded"); len(v) > 0 {
		out["Forwarded"] = v
	}
	if v := in.Header.Get("X-Forwarded-Host"); v != "" {
		out.Set("X-Forwarded-Host", v)
	} else {
		out.Set("X-Forwarded-Host", in.Host)
	}
	switch v := in.Header.Get("X-Forwarded-Proto"); {
	case v != "":
		out.Set("X-Forwarded-Proto", v)
	case in.TLS != nil:
		out.Set("X-Forwarded-Proto", "https")
	default:
		out.Set("X-Forwarded-Proto", "http")
	}
}

// copyResponseHeader copies the application's response headers for the
// client, leaving out hop-by-hop ones.
func copyResponseHeader(dst, src http.Header) {
	for k, v := range src {
		dst[k] = v
	}
	removeHopByHop(dst)
}

// replayableHeader keeps the headers of a response that may be replayed.
// Set-Cookie never is: a cookie belongs to the response that set it.
func replayableHeader(src http.Header, allowed map[string]bool) http.Header {
	out := make(http.Header, len(allowed))
	for k, v := range src {
		if allowed[k] {
			out[k] = append([]string(nil), v...)
		}
	}
	return out
}

// ReplayedHeader marks a response that was replayed from the store.
const ReplayedHeader = "Idempotent-Replayed"

// replay writes a stored response.
func replay(w http.ResponseWriter, rec *store.Record) {
	h := w.Header()
	if rec.BodyOmitted {
		if loc := rec.Header.Get("Location"); loc != "" {
			h.Set("Location", loc)
		}
		h.Set(ReplayedHeader, "true")
		p := problemNotStored
		p.OriginalStatus = rec.Status
		writeProblem(w, p, "the request with this key was executed once and answered "+
			strconv.Itoa(rec.Status)+", but its response body was larger than the policy's "+
			"maxResponseBytes and was not stored; it is not executed again. Read the result "+
			"from the application instead.")
		return
	}
	for k, v := range rec.Header {
		h[k] = v
	}
	h.Set(ReplayedHeader, "true")
	if bodyAllowed(rec.Status) {
		h.Set("Content-Length", strconv.Itoa(len(rec.Body)))
	}
	w.WriteHeader(rec.Status)
	if bodyAllowed(rec.Status) {
		_, _ = w.Write(rec.Body)
	}
}

func bodyAllowed(status int) bool {
	return status != http.StatusNoContent && status != http.StatusNotModified
}
