package redis

import (
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// Defaults for the fields of Options left at zero.
const (
	// DefaultKeyPrefix is put before every key the store writes.
	DefaultKeyPrefix = "idem:"
	// DefaultDialTimeout bounds establishing a connection.
	DefaultDialTimeout = time.Second
	// DefaultReadTimeout bounds waiting for a reply.
	DefaultReadTimeout = 500 * time.Millisecond
	// DefaultWriteTimeout bounds sending a command.
	DefaultWriteTimeout = 500 * time.Millisecond
	// DefaultMaxRetries is how often a command is retried after a network
	// error, enough to ride over a connection that the server closed.
	DefaultMaxRetries = 1
)

// Options configures a Store. The zero value uses the defaults above.
// Query parameters of the URL given to New, such as dial_timeout or
// max_retries, take precedence over the timeouts and retries set here.
type Options struct {
	// KeyPrefix is put before every key, so that several proxies or
	// other applications can share a database. Empty means
	// DefaultKeyPrefix.
	KeyPrefix string

	// DialTimeout bounds establishing a connection. Zero means
	// DefaultDialTimeout.
	DialTimeout time.Duration

	// ReadTimeout bounds waiting for a reply. Zero means
	// DefaultReadTimeout.
	ReadTimeout time.Duration

	// WriteTimeout bounds sending a command. Zero means
	// DefaultWriteTimeout.
	WriteTimeout time.Duration

	// MaxRetries is how often a command is retried after a network
	// error. Zero means DefaultMaxRetries; a negative value disables
	// retries. The scripts are safe to retry: a repeated Complete by the
	// same owner succeeds, and a repeated Claim finds the claim it made
	// in flight, which then runs out with its lease.
	MaxRetries int
}

// tunables points at the connection settings that every kind of go-redis
// options has, so that defaults are applied to each in one way.
type tunables struct {
	dialTimeout, readTimeout, writeTimeout *time.Duration
	maxRetries, dialerRetries              *int
	contextTimeoutEnabled                  *bool
}

// apply fills the settings the URL left unset from o and the defaults.
func (t tunables) apply(o Options) {
	setDuration(t.dialTimeout, o.DialTimeout, DefaultDialTimeout)
	setDuration(t.readTimeout, o.ReadTimeout, DefaultReadTimeout)
	setDuration(t.writeTimeout, o.WriteTimeout, DefaultWriteTimeout)
	if *t.maxRetries == 0 {
		switch {
		case o.MaxRetries < 0:
			*t.maxRetries = -1
		case o.MaxRetries == 0:
			*t.maxRetries = DefaultMaxRetries
		default:
			*t.maxRetries = o.MaxRetries
		}
	}
	// One dial attempt per connection: a command retry dials again, and
	// go-redis' own default of five attempts would multiply the time an
	// unreachable server takes to fail.
	if *t.dialerRetries == 0 {
		*t.dialerRetries = 1
	}
	// Let the caller's context bound every command, so that a request
	// deadline also bounds its store calls.
	*t.contextTimeoutEnabled = true
}

// setDuration sets *field to value, or to fallback when value is zero,
// unless the URL already set it.
func setDuration(field *time.Duration, value, fallback time.Duration) {
	if *field != 0 {
		return
	}
	if value == 0 {
		value = fallback
	}
	*field = value
}

// singleTunables returns the settings of options for one server.
func singleTunables(o *goredis.Options) tunables {
	return tunables{
		&o.DialTimeout, &o.ReadTimeout, &o.WriteTimeout,
		&o.MaxRetries, &o.DialerRetries, &o.ContextTimeoutEnabled,
	}
}

// clusterTunables returns the settings of options for a cluster.
func clusterTunables(o *goredis.ClusterOptions) tunables {
	return tunables{
		&o.DialTimeout, &o.ReadTimeout, &o.WriteTimeout,
		&o.MaxRetries, &o.DialerRetries, &o.ContextTimeoutEnabled,
	}
}

// failoverTunables returns the settings of options for Sentinel.
func failoverTunables(o *goredis.FailoverOptions) tunables {
	return tunables{
		&o.DialTimeout, &o.ReadTimeout, &o.WriteTimeout,
		&o.MaxRetries, &o.DialerRetries, &o.ContextTimeoutEnabled,
	}
}
