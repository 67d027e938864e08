package main

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
)

// benchPath is the route every row sends to. POST /api/pairs/create makes
// a new pair on each call and never refuses one, so a fresh key always
// succeeds, and the application does the same work behind every front.
const benchPath = "/api/pairs/create"

// benchBody is the request body; it is small, as mutation bodies are.
var benchBody = []byte(`{"name":"load test pair","note":"sent by loadbench"}`)

// keyHeader is the header the sample policy reads the key from.
const keyHeader = "Idempotency-Key"

// replayedHeader marks a response the proxy replayed from its store.
const replayedHeader = "Idempotent-Replayed"

// front is what stands between the load generator and the sample app.
type front int

const (
	frontNone front = iota
	frontReverseProxy
	frontReverseProxyTuned
	frontPassthrough
	frontProtected
)

// target is one row of the report.
type target struct {
	// id names the row in the goals, logs and flags.
	id string
	// label describes the row in the tables.
	label string
	front front
	// store is the idempotency proxy's store: memory or redis.
	store string
	// replay sends one key over and over instead of a new key each time.
	replay bool
}

func (t target) usesRedis() bool { return t.store == "redis" }

var (
	direct          = target{id: "direct", label: "direct to the sample app"}
	reverseProxy    = target{id: "reverseproxy", label: "httputil.ReverseProxy, default transport", front: frontReverseProxy}
	reverseProxy1k  = target{id: "reverseproxy-1024", label: "httputil.ReverseProxy, 1024 idle conns (context)", front: frontReverseProxyTuned}
	passthrough     = target{id: "passthrough", label: "idempotency-proxy, unprotected route", front: frontPassthrough, store: "memory"}
	protectedMemory = target{id: "protected-memory", label: "idempotency-proxy, new keys, memory", front: frontProtected, store: "memory"}
	protectedRedis  = target{id: "protected-redis", label: "idempotency-proxy, new keys, Redis", front: frontProtected, store: "redis"}
	replayMemory    = target{id: "replay-memory", label: "idempotency-proxy, replays, memory", front: frontProtected, store: "memory", replay: true}
	replayRedis     = target{id: "replay-redis", label: "idempotency-proxy, replays, Redis", front: frontProtected, store: "redis", replay: true}
)

// closedTargets are the rows of the throughput table, in the order they run.
var closedTargets = []target{
	direct, reverseProxy, reverseProxy1k, passthrough,
	protectedMemory, protectedRedis, replayMemory, replayRedis,
}

// openTargets are the rows of the fixed-rate latency table.
var openTargets = []target{direct, passthrough, protectedMemory, protectedRedis}

// rowIDs lists the ids of every row, for the -rows flag.
func rowIDs() string {
	ids := make([]string, 0, len(closedTargets))
	for _, t := range closedTargets {
		ids = append(ids, t.id)
	}
	return strings.Join(ids, ", ")
}

// knownRow reports whether id names a row.
func knownRow(id string) bool {
	for _, t := range closedTargets {
		if t.id == id {
			return true
		}
	}
	return false
}

// parseRows reads the -rows flag; nil means every row.
func parseRows(s string) map[string]bool {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	rows := map[string]bool{}
	for _, id := range strings.Split(s, ",") {
		rows[strings.TrimSpace(id)] = true
	}
	return rows
}

// requests builds the requests of one run of a target. Each carries a key:
// a new one every time, or for a replay row always the same one. Fronts
// that do not read the key forward it to the app, which ignores it, so
// every row sends the same bytes.
type requests struct {
	url    string
	prefix string
	replay bool
	next   atomic.Uint64
}

// replayKey is the key a replay row repeats.
func (r *requests) replayKey() string { return r.prefix + "replay" }

func (r *requests) newRequest() (*http.Request, error) {
	req, err := http.NewRequest(http.MethodPost, r.url, bytes.NewReader(benchBody))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	key := r.replayKey()
	if !r.replay {
		key = r.prefix + strconv.FormatUint(r.next.Add(1), 10)
	}
	req.Header.Set(keyHeader, key)
	return req, nil
}
