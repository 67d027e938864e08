package proxy

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/idempotency-operator/idempotency-operator/proxy/store"
)

// execute forwards the request that holds the claim, streams the response
// to the client while capturing it, and then stores or releases the claim.
//
// The call to the application is detached from the client's connection: a
// client that disconnects mid-request does not cancel a mutation half-way,
// and its retry finds the stored response instead of running it again.
func (p *Proxy) execute(w http.ResponseWriter, r *http.Request, rt *protectedRoute,
	key, token, fp string, body []byte) {
	bg := context.WithoutCancel(r.Context())
	ctx, cancel := context.WithTimeout(bg, p.opts.UpstreamTimeout)
	defer cancel()

	lease := p.renewLease(bg, rt, key, token)
	defer lease.stop()

	resp, err := p.transport.RoundTrip(p.outgoing(ctx, r, body))
	if err != nil {
		p.release(bg, rt, key, token)
		rt.metrics.outcomes[OutcomeUpstreamError].Inc()
		if errors.Is(err, context.DeadlineExceeded) {
			writeProblem(w, problemUpstreamTimeout, "the application did not answer within "+
				p.opts.UpstreamTimeout.String()+"; the request may be retried with the same key")
			return
		}
		p.log.Warn("Forwarding to the application failed", "policy", rt.policy, "route", rt.template, "error", err)
		writeProblem(w, problemUpstreamUnavailable,
			"the application could not be reached; the request may be retried with the same key")
		return
	}
	defer resp.Body.Close()

	copyResponseHeader(w.Header(), resp.Header)
	w.WriteHeader(resp.StatusCode)

	if !storable(resp.StatusCode) {
		// Free the key before the body goes out, so that a client quick
		// to retry does not find it still claimed.
		p.release(bg, rt, key, token)
		rt.metrics.outcomes[OutcomeNotStored].Inc()
		_, _ = io.Copy(w, resp.Body)
		return
	}

	captured, omitted, clientOK, err := capture(w, resp.Body, rt.maxResponseBytes)
	if err != nil {
		// The application broke off its response: it may or may not have
		// finished, so let a retry run again rather than replay half.
		p.release(bg, rt, key, token)
		rt.metrics.outcomes[OutcomeUpstreamError].Inc()
		p.log.Warn("Reading the application's response failed", "policy", rt.policy,
			"route", rt.template, "error", err)
		if clientOK {
			panic(http.ErrAbortHandler) // the client must not take a cut body for a whole one
		}
		return
	}

	rec := store.Record{
		Fingerprint: fp,
		Status:      resp.StatusCode,
		Header:      replayableHeader(resp.Header, rt.replayHeaders),
		Body:        captured,
		BodyOmitted: omitted,
		CompletedAt: time.Now(),
	}
	t0 := time.Now()
	err = rt.store.Complete(bg, key, token, rec, rt.ttl)
	rt.metrics.storeOps["complete"].Observe(time.Since(t0).Seconds())
	if err != nil {
		rt.metrics.storeErrors["complete"].Inc()
		p.log.Error("Storing a response failed; a retry will run again once the claim's lease expires",
			"policy", rt.policy, "route", rt.template, "error", err)
	}
	if omitted {
		rt.metrics.outcomes[OutcomeResponseNotStored].Inc()
		return
	}
	rt.metrics.outcomes[OutcomeExecuted].Inc()
}

// storable reports whether a response is kept for replay: every completed
// response below 500 except those that invite a retry (408, 425, 429).
func storable(status int) bool {
	switch {
	case status < 200, status >= 500:
		return false
	case status == http.StatusRequestTimeout, status == http.StatusTooEarly,
		status == http.StatusTooManyRequests:
		return false
	}
	return true
}

// capture copies the response body to the client and keeps a copy of up to
// limit bytes. When the body is larger, omitted is set and nothing is kept:
// a response is replayed whole or not at all. A client that goes away does
// not stop the capture, so the response is still stored for its retry.
func capture(w http.ResponseWriter, body io.Reader, limit int64) (kept []byte, omitted, clientOK bool, err error) {
	bufp := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(bufp)
	buf := *bufp
	clientOK = true
	for {
		n, rerr := body.Read(buf)
		if n > 0 {
			if clientOK {
				if _, werr := w.Write(buf[:n]); werr != nil {
					clientOK = false
				}
			}
			if !omitted {
				if int64(len(kept)+n) > limit {
					omitted, kept = true, nil
				} else {
					kept = append(kept, buf[:n]...)
				}
			}
		}
		if rerr == io.EOF {
			if kept == nil && !omitted {
				kept = []byte{}
			}
			return kept, omitted, clientOK, nil
		}
		if rerr != nil {
			return nil, false, clientOK, rerr
		}
	}
}

func (p *Proxy) release(ctx context.Context, rt *protectedRoute, key, token string) {
	t0 := time.Now()
	err := rt.store.Release(ctx, key, token)
	rt.metrics.storeOps["release"].Observe(time.Since(t0).Seconds())
	if err != nil && !errors.Is(err, store.ErrNotOwner) {
		rt.metrics.storeErrors["release"].Inc()
		p.log.Warn("Releasing a claim failed; the key stays blocked until its lease expires",
			"policy", rt.policy, "route", rt.template, "error", err)
	}
}

// leaseRenewer extends a claim's lease while its request runs, so that a
// slow request keeps its claim and a dead proxy's claim expires quickly.
type leaseRenewer struct {
	mu      sync.Mutex
	stopped bool
	timer   *time.Timer
}

func (p *Proxy) renewLease(ctx context.Context, rt *protectedRoute, key, token string) *leaseRenewer {
	l := &leaseRenewer{}
	every := p.opts.Lease / 3
	// The timer is set under the lock the callback takes before it reads
	// it, so that a callback firing at once sees it.
	l.mu.Lock()
	defer l.mu.Unlock()
	l.timer = time.AfterFunc(every, func() {
		t0 := time.Now()
		err := rt.store.Extend(ctx, key, token, p.opts.Lease)
		rt.metrics.storeOps["extend"].Observe(time.Since(t0).Seconds())
		l.mu.Lock()
		defer l.mu.Unlock()
		if l.stopped {
			return // the request finished meanwhile; its claim is settled
		}
		if errors.Is(err, store.ErrNotOwner) {
			p.log.Error("Lost a claim while its request runs: the lease expired, so a duplicate may run too",
				"policy", rt.policy, "route", rt.template)
			return
		}
		if err != nil {
			rt.metrics.storeErrors["extend"].Inc()
			p.log.Warn("Extending a claim's lease failed", "policy", rt.policy, "route", rt.template, "error", err)
		}
		l.timer.Reset(every)
	})
	return l
}

func (l *leaseRenewer) stop() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.stopped = true
	l.timer.Stop()
}

// outgoing builds the request to the application from the client's
// request and its already read body.
func (p *Proxy) outgoing(ctx context.Context, r *http.Request, body []byte) *http.Request {
	// A shallow copy with its own header and URL: the body is replaced and
	// nothing else of the client's request is changed.
	out := r.WithContext(ctx)
	out.Header = r.Header.Clone()
	u := *r.URL
	out.URL = &u
	up := p.opts.Upstream
	out.URL.Scheme = up.Scheme
	out.URL.Host = up.Host
	if up.Path != "" && up.Path != "/" {
		out.URL.Path = strings.TrimSuffix(up.Path, "/") + r.URL.Path
		out.URL.RawPath = ""
		if r.URL.RawPath != "" {
			out.URL.RawPath = strings.TrimSuffix(up.EscapedPath(), "/") + r.URL.EscapedPath()
		}
	}
	out.RequestURI = ""
	out.Host = r.Host
	out.Body = http.NoBody
	if len(body) > 0 {
		out.Body = io.NopCloser(bytes.NewReader(body))
	}
	out.ContentLength = int64(len(body))
	out.GetBody = nil
	out.TransferEncoding = nil
	out.Close = false
	removeHopByHop(out.Header)
	setForwarded(out.Header, r)
	return out
}
