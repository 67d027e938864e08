package redis

import goredis "github.com/redis/go-redis/v9"

// Values of the state field.
const (
	stateInFlight  = "inflight"
	stateCompleted = "completed"
)

// Replies of the claim script's first element.
const (
	replyClaimed   = "claimed"
	replyInFlight  = "inflight"
	replyCompleted = "completed"
)

// Every script reads and writes only KEYS[1], which keeps it atomic on a
// single server and routable on a cluster. Redis runs them with EVALSHA,
// and go-redis falls back to EVAL when the server does not know a script
// yet, for example after a restart.

// claimScript takes KEYS[1] for token ARGV[1] with fingerprint ARGV[2]
// for ARGV[3] milliseconds unless the key is held or completed. It
// replies {claimed}, {inflight, fingerprint} or {completed, fingerprint,
// status, header, body, omitted, completedAt}, so that a replay needs no
// second round trip.
var claimScript = goredis.NewScript(`
local found = redis.call('HMGET', KEYS[1], 'state', 'fingerprint', 'status', 'header',
  'body', 'omitted', 'completedAt')
if found[1] == 'completed' then
  return {'completed', found[2] or '', found[3] or '', found[4] or '', found[5] or '',
    found[6] or '', found[7] or ''}
end
if found[1] == 'inflight' then
  return {'inflight', found[2] or ''}
end
-- A hash without a state was not written by these scripts; start afresh.
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'state', 'inflight', 'token', ARGV[1], 'fingerprint', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return {'claimed'}
`)

// completeScript stores a response under KEYS[1] for ARGV[8] milliseconds
// if token ARGV[1] holds the key. ARGV[2] is the fingerprint, kept from
// the claim when empty; ARGV[3] to ARGV[7] are status, header, body,
// omitted and completedAt. The completed hash keeps the token, so that a
// retried Complete by the same owner succeeds without writing again. It
// replies 1 on success and 0 when the token does not hold the key.
var completeScript = goredis.NewScript(`
local held = redis.call('HMGET', KEYS[1], 'state', 'token')
if held[2] ~= ARGV[1] then
  return 0
end
if held[1] == 'completed' then
  return 1
end
if ARGV[2] ~= '' then
  redis.call('HSET', KEYS[1], 'fingerprint', ARGV[2])
end
redis.call('HSET', KEYS[1], 'state', 'completed', 'status', ARGV[3], 'header', ARGV[4],
  'body', ARGV[5], 'omitted', ARGV[6], 'completedAt', ARGV[7])
redis.call('PEXPIRE', KEYS[1], ARGV[8])
return 1
`)

// releaseScript deletes KEYS[1] if token ARGV[1] holds it in flight. It
// replies 1 on success and 0 otherwise.
var releaseScript = goredis.NewScript(`
local held = redis.call('HMGET', KEYS[1], 'state', 'token')
if held[1] ~= 'inflight' or held[2] ~= ARGV[1] then
  return 0
end
redis.call('DEL', KEYS[1])
return 1
`)

// extendScript renews the lease of KEYS[1] to ARGV[2] milliseconds if
// token ARGV[1] holds it in flight. It replies 1 on success and 0
// otherwise.
var extendScript = goredis.NewScript(`
local held = redis.call('HMGET', KEYS[1], 'state', 'token')
if held[1] ~= 'inflight' or held[2] ~= ARGV[1] then
  return 0
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`)
