package load

import (
	"fmt"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"time"
)

// RequestTimeout bounds each request, so that a run ends even if its target
// hangs.
const RequestTimeout = 10 * time.Second

// NewClient returns an HTTP/1.1 client that keeps up to conns idle
// connections to one host, so that every concurrent client reuses its own
// connection instead of dialing anew. It refuses to connect anywhere but a
// loopback address.
func NewClient(conns int) *http.Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second, Control: loopbackOnly}
	return &http.Client{
		Timeout: RequestTimeout,
		Transport: &http.Transport{
			Proxy:               nil,
			DialContext:         dialer.DialContext,
			MaxIdleConns:        conns,
			MaxIdleConnsPerHost: conns,
			IdleConnTimeout:     90 * time.Second,
			DisableCompression:  true,
			ForceAttemptHTTP2:   false,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// loopbackOnly is a dial control that rejects every address outside the
// loopback range. It sees the resolved address, so a host name that
// resolves elsewhere is refused too.
func loopbackOnly(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("dialing %s: %w", address, err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("dialing %s: the load generator only targets loopback addresses", address)
	}
	return nil
}

// statusText is the label of a status code in error summaries.
func statusText(code int) string {
	return strconv.Itoa(code) + " " + http.StatusText(code)
}
