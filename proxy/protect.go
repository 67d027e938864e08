package proxy

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/idempotency-operator/idempotency-operator/proxy/store"
)

// protect handles a request on a protected route: find its key, claim it,
// then execute, replay, wait or refuse.
func (p *Proxy) protect(w http.ResponseWriter, r *http.Request, rt *protectedRoute) {
	start := time.Now()
	defer func() { rt.metrics.duration.Observe(time.Since(start).Seconds()) }()

	values := r.Header.Values(rt.keyHeader)
	var (
		key       string
		hasHeader = len(values) > 0
	)
	if len(values) > 1 {
		p.refuse(w, r, rt, nil, OutcomeInvalid, problemKeyInvalid, errKeyMultiple.Error())
		return
	}
	if hasHeader {
		k, err := ParseKeyHeader(values[0])
		if err != nil {
			p.refuse(w, r, rt, nil, OutcomeInvalid, problemKeyInvalid, err.Error())
			return
		}
		key = k
	}
	if !hasHeader && rt.bodyField == nil {
		p.unkeyed(w, r, rt, nil)
		return
	}

	body, err := readBody(r, rt.maxRequestBytes)
	if errors.Is(err, errBodyTooLarge) {
		if !hasHeader && !rt.required {
			// Too large to look for a key in, and none is required.
			p.unkeyed(w, r, rt, body)
			return
		}
		p.refuse(w, r, rt, body, OutcomeInvalid, problemBodyTooLarge,
			"protected routes accept request bodies up to "+strconv.FormatInt(rt.maxRequestBytes, 10)+" bytes")
		return
	}
	if err != nil {
		// A broken body (bad chunking, a client that went away) never
		// reaches the application; whoever is still listening learns why.
		p.log.Debug("Reading request body failed", "policy", rt.policy, "route", rt.template, "error", err)
		rt.metrics.outcomes[OutcomeInvalid].Inc()
		writeProblem(w, problemBodyUnreadable, "the request body could not be read: "+err.Error())
		return
	}

	isJSON := isJSONMediaType(r.Header.Get("Content-Type"))
	var (
		canon   []byte
		field   fieldValue
		jsonErr error
	)
	if isJSON || (rt.bodyField != nil && len(body) > 0) {
		bufp := canonBuffers.Get().(*[]byte)
		defer func() { *bufp = canon[:0]; canonBuffers.Put(bufp) }()
		canon, field, jsonErr = canonicalize((*bufp)[:0], body, rt.bodyField)
	}
	if rt.bodyField != nil && len(body) > 0 {
		if jsonErr != nil && !hasHeader {
			if !rt.required {
				// No key can be read from a body that is not JSON, and
				// none is required: the request runs unprotected.
				p.unkeyed(w, r, rt, body)
				return
			}
			p.refuse(w, r, rt, body, OutcomeInvalid, problemBodyInvalid,
				"the idempotency key is read from the JSON body field "+rt.fieldName()+": "+jsonErr.Error())
			return
		}
		if jsonErr == nil {
			bodyKey, found, err := field.key()
			switch {
			case err != nil:
				p.refuse(w, r, rt, body, OutcomeInvalid, problemKeyInvalid,
					"body field "+rt.fieldName()+": "+err.Error())
				return
			case found && hasHeader && bodyKey != key:
				p.refuse(w, r, rt, body, OutcomeInvalid, problemKeyAmbiguous,
					"the "+rt.keyHeader+" header and the body field "+rt.fieldName()+" carry different keys")
				return
			case found && !hasHeader:
				key = bodyKey
			}
		}
	}
	if key == "" {
		p.unkeyed(w, r, rt, body)
		return
	}

	if !isJSON || jsonErr != nil {
		canon = nil // the body counts byte for byte
	}
	fp := fingerprint(r, body, canon)
	sk := storeKey(rt.policy, rt.template, rt.scopeHeaders, r, key)
	p.claim(w, r, rt, sk, fp, body)
}

// claim takes the key and acts on what the store holds for it.
func (p *Proxy) claim(w http.ResponseWriter, r *http.Request, rt *protectedRoute, key, fp string, body []byte) {
	ctx := r.Context()
	var waitCtx context.Context
	for {
		t0 := time.Now()
		res, err := rt.store.Claim(ctx, key, fp, p.opts.Lease)
		rt.metrics.storeOps["claim"].Observe(time.Since(t0).Seconds())
		if err != nil && ctx.Err() != nil {
			return // the client went away; the store is not at fault
		}
		if err != nil {
			p.storeFailed(w, r, rt, body, "claim", err)
			return
		}

		switch res.State {
		case store.Claimed:
			p.execute(w, r, rt, key, res.Token, fp, body)
			return

		case store.Completed:
			if res.Record.Fingerprint != fp {
				p.mismatch(w, r, rt, body)
				return
			}
			if p.audited(w, r, rt, body, OutcomeAuditWouldReplay) {
				return
			}
			rt.metrics.replays.Inc()
			rt.metrics.outcomes[OutcomeReplayed].Inc()
			replay(w, res.Record)
			return

		case store.InFlight:
			if res.Fingerprint != fp {
				p.mismatch(w, r, rt, body)
				return
			}
			if p.audited(w, r, rt, body, OutcomeAuditWouldConfl) {
				return
			}
			if rt.reject {
				p.inProgress(w, rt, "another request with this key is still running; retry after it completes")
				return
			}
			if waitCtx == nil {
				var cancel context.CancelFunc
				waitCtx, cancel = context.WithTimeout(ctx, rt.waitTimeout)
				defer cancel()
			}
			t0 = time.Now()
			err := rt.store.Wait(waitCtx, key)
			rt.metrics.storeOps["wait"].Observe(time.Since(t0).Seconds())
			switch {
			case ctx.Err() != nil:
				return // the client went away while waiting
			case waitCtx.Err() != nil:
				p.inProgress(w, rt, "another request with this key is still running after "+
					rt.waitTimeout.String()+"; retry later")
				return
			case err != nil:
				p.storeFailed(w, r, rt, body, "wait", err)
				return
			}
			// The first request finished or gave up: claim again to see which.
		}
	}
}

// unkeyed handles a request on a protected route that carries no key.
func (p *Proxy) unkeyed(w http.ResponseWriter, r *http.Request, rt *protectedRoute, body []byte) {
	if !rt.required {
		rt.metrics.outcomes[OutcomeUnkeyed].Inc()
		p.forward(w, r, body)
		return
	}
	detail := "this route requires an idempotency key in the " + rt.keyHeader + " header"
	if rt.bodyField != nil {
		detail += " or the JSON body field " + rt.fieldName()
	}
	p.refuse(w, r, rt, body, OutcomeMissingKey, problemKeyMissing, detail)
}

// audited forwards the request in Audit mode, recording would as what
// Enforce would have done, and reports whether it did.
func (p *Proxy) audited(w http.ResponseWriter, r *http.Request, rt *protectedRoute, body []byte,
	would Outcome) bool {
	if rt.enforce {
		return false
	}
	rt.metrics.outcomes[would].Inc()
	p.forward(w, r, body)
	return true
}

// refuse answers with a problem in Enforce mode; in Audit mode it records
// what would have happened and forwards the request.
func (p *Proxy) refuse(w http.ResponseWriter, r *http.Request, rt *protectedRoute, body []byte,
	outcome Outcome, prob problem, detail string) {
	if p.audited(w, r, rt, body, OutcomeAuditWouldReject) {
		return
	}
	rt.metrics.outcomes[outcome].Inc()
	writeProblem(w, prob, detail)
}

func (p *Proxy) mismatch(w http.ResponseWriter, r *http.Request, rt *protectedRoute, body []byte) {
	if p.audited(w, r, rt, body, OutcomeAuditWouldMismat) {
		return
	}
	rt.metrics.mismatches.Inc()
	rt.metrics.outcomes[OutcomeMismatch].Inc()
	writeProblem(w, problemKeyReused, "this idempotency key was first used for a request with a different "+
		"method, path, query, content type or body; use a new key for a new request")
}

func (p *Proxy) inProgress(w http.ResponseWriter, rt *protectedRoute, detail string) {
	rt.metrics.conflicts.Inc()
	rt.metrics.outcomes[OutcomeConflict].Inc()
	w.Header().Set("Retry-After", "1")
	writeProblem(w, problemInProgress, detail)
}

// storeFailed applies the failure mode when the store cannot be reached:
// Closed answers 503 without calling the application; Open, and Audit
// mode, forward the request unprotected.
func (p *Proxy) storeFailed(w http.ResponseWriter, r *http.Request, rt *protectedRoute, body []byte,
	op string, err error) {
	rt.metrics.storeErrors[op].Inc()
	p.log.Warn("Idempotency store failed", "policy", rt.policy, "route", rt.template, "op", op, "error", err)
	if rt.failOpen || !rt.enforce {
		rt.metrics.outcomes[OutcomeFailOpen].Inc()
		p.forward(w, r, body)
		return
	}
	rt.metrics.outcomes[OutcomeStoreUnavailable].Inc()
	w.Header().Set("Retry-After", "1")
	writeProblem(w, problemStoreUnavailable,
		"the idempotency store failed (unreachable, or out of room for new claims), so the request was "+
			"not sent to the application; retry later")
}

// forward sends a request through unprotected. body is what protect has
// already read of the request body, if anything; the rest follows it.
func (p *Proxy) forward(w http.ResponseWriter, r *http.Request, body []byte) {
	if body != nil {
		r.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(body), r.Body), r.Body}
	}
	p.passthrough.ServeHTTP(w, r)
}

func (rt *protectedRoute) fieldName() string { return rt.bodyFieldName }
