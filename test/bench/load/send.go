package load

import (
	"context"
	"fmt"
	"io"
	"net/http"
)

// Target says what requests a run sends.
type Target struct {
	// NewRequest builds the next request. It is called from many
	// goroutines at once.
	NewRequest func() (*http.Request, error)
	// Observe, if set, sees every response before its body is read. It is
	// called from many goroutines at once.
	Observe func(*http.Response)
}

// send sends one request and reads its whole response, so that the
// connection can be reused. It returns the status code.
func send(ctx context.Context, client *http.Client, t Target) (int, error) {
	req, err := t.NewRequest()
	if err != nil {
		return 0, fmt.Errorf("building request: %w", err)
	}
	resp, err := client.Do(req.WithContext(ctx))
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()

	if t.Observe != nil {
		t.Observe(resp)
	}
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return 0, fmt.Errorf("reading response body: %w", err)
	}
	return resp.StatusCode, nil
}
