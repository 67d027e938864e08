package redis

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseURLReadsEachScheme(t *testing.T) {
	tests := []struct {
		name  string
		url   string
		check func(t *testing.T, c clientConfig)
	}{
		{"single server with database", "redis://cache.local:6380/2", func(t *testing.T, c clientConfig) {
			o := c.single
			if o.Addr != "cache.local:6380" || o.DB != 2 || o.TLSConfig != nil {
				t.Errorf("Addr, DB, TLS = %q, %d, %v; want cache.local:6380, 2, none", o.Addr, o.DB, o.TLSConfig)
			}
		}},
		{"single server with credentials over TLS", "rediss://app:s3cret@cache.local", func(t *testing.T, c clientConfig) {
			o := c.single
			if o.Username != "app" || o.Password != "s3cret" || o.TLSConfig == nil || o.Addr != "cache.local:6379" {
				t.Errorf("got user %q, password %q, TLS %v, addr %q", o.Username, o.Password, o.TLSConfig, o.Addr)
			}
		}},
		{"unix socket", "unix:///run/redis.sock?db=1", func(t *testing.T, c clientConfig) {
			if c.single.Network != "unix" || c.single.Addr != "/run/redis.sock" || c.single.DB != 1 {
				t.Errorf("got %s %s db %d", c.single.Network, c.single.Addr, c.single.DB)
			}
		}},
		{"cluster host list", "redis-cluster://:pw@n1:7000,n2:7001,n3", func(t *testing.T, c clientConfig) {
			want := []string{"n1:7000", "n2:7001", "n3:6379"}
			if !sameSet(c.cluster.Addrs, want) || c.cluster.Password != "pw" || c.cluster.TLSConfig != nil {
				t.Errorf("Addrs, password, TLS = %v, %q, %v; want %v, pw, none",
					c.cluster.Addrs, c.cluster.Password, c.cluster.TLSConfig, want)
			}
		}},
		{"cluster of IPv6 hosts", "redis-cluster://[::1]:7000,[::2]", func(t *testing.T, c clientConfig) {
			if want := []string{"[::1]:7000", "[::2]:6379"}; !sameSet(c.cluster.Addrs, want) {
				t.Errorf("Addrs = %v, want %v", c.cluster.Addrs, want)
			}
		}},
		{"cluster over TLS", "rediss-cluster://n1:7000", func(t *testing.T, c clientConfig) {
			if c.cluster.TLSConfig == nil {
				t.Error("TLS is off, want it on")
			}
		}},
		{"sentinel with master and database", "redis-sentinel://app:pw@s1,s2:26380/mymaster/3",
			func(t *testing.T, c clientConfig) {
				o := c.failover
				want := []string{"s1:26379", "s2:26380"}
				if !sameSet(o.SentinelAddrs, want) || o.MasterName != "mymaster" || o.DB != 3 {
					t.Errorf("sentinels, master, db = %v, %q, %d; want %v, mymaster, 3",
						o.SentinelAddrs, o.MasterName, o.DB, want)
				}
				if o.Username != "app" || o.Password != "pw" || o.SentinelPassword != "" {
					t.Errorf("primary %q/%q, sentinel password %q; want app/pw and none",
						o.Username, o.Password, o.SentinelPassword)
				}
			}},
		{"sentinel with its own password over TLS",
			"rediss-sentinel://s1/mymaster?sentinel_username=watch&sentinel_password=spw",
			func(t *testing.T, c clientConfig) {
				o := c.failover
				if o.SentinelUsername != "watch" || o.SentinelPassword != "spw" || o.TLSConfig == nil {
					t.Errorf("sentinel %q/%q, TLS %v; want watch/spw and TLS",
						o.SentinelUsername, o.SentinelPassword, o.TLSConfig)
				}
			}},
		{"sentinel master as parameter", "redis-sentinel://s1?master_name=primary", func(t *testing.T, c clientConfig) {
			if c.failover.MasterName != "primary" {
				t.Errorf("MasterName = %q, want primary", c.failover.MasterName)
			}
		}},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parseURL(tt.url, Options{})
			if err != nil {
				t.Fatalf("parseURL(%q): %v", tt.url, err)
			}
			tt.check(t, c)
		})
	}
}

func TestParseURLAppliesTimeouts(t *testing.T) {
	tests := []struct {
		name        string
		url         string
		opts        Options
		dial, read  time.Duration
		maxRetries  int
		dialRetries int
	}{
		{"defaults", "redis://h", Options{}, DefaultDialTimeout, DefaultReadTimeout, DefaultMaxRetries, 1},
		{"options", "redis://h", Options{DialTimeout: 3 * time.Second, ReadTimeout: time.Second, MaxRetries: -1},
			3 * time.Second, time.Second, -1, 1},
		{"URL wins over options", "redis://h?dial_timeout=250ms&max_retries=4",
			Options{DialTimeout: 3 * time.Second}, 250 * time.Millisecond, DefaultReadTimeout, 4, 1},
		{"URL sets dial attempts", "redis-cluster://h?dialer_retries=3",
			Options{}, DefaultDialTimeout, DefaultReadTimeout, DefaultMaxRetries, 3},
		{"cluster", "redis-cluster://h", Options{}, DefaultDialTimeout, DefaultReadTimeout, DefaultMaxRetries, 1},
		{"sentinel", "redis-sentinel://h/m", Options{}, DefaultDialTimeout, DefaultReadTimeout, DefaultMaxRetries, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := parseURL(tt.url, tt.opts)
			if err != nil {
				t.Fatalf("parseURL: %v", err)
			}
			tu := c.tunables()
			if *tu.dialTimeout != tt.dial || *tu.readTimeout != tt.read {
				t.Errorf("dial, read = %s, %s; want %s, %s", *tu.dialTimeout, *tu.readTimeout, tt.dial, tt.read)
			}
			if *tu.writeTimeout != DefaultWriteTimeout {
				t.Errorf("write timeout = %s, want %s", *tu.writeTimeout, DefaultWriteTimeout)
			}
			if *tu.maxRetries != tt.maxRetries || *tu.dialerRetries != tt.dialRetries {
				t.Errorf("retries, dial attempts = %d, %d; want %d, %d",
					*tu.maxRetries, *tu.dialerRetries, tt.maxRetries, tt.dialRetries)
			}
			if !*tu.contextTimeoutEnabled {
				t.Error("context deadlines are ignored, want them to bound commands")
			}
		})
	}
}

func TestParseURLErrorsSayWhatIsWrongAndHideThePassword(t *testing.T) {
	tests := []struct {
		url  string
		want string
	}{
		{"", "missing scheme"},
		{"http://h", `unsupported scheme "http"`},
		{"redis-sentinel://app:hunter2@s1", "missing master name"},
		{"redis-sentinel://app:hunter2@s1/m/1/2", "invalid path"},
		{"redis-sentinel://s1/m?master_name=n&password=hunter2", "named twice"},
		{"redis-cluster://app:hunter2@n1/3", "single database"},
		{"redis-cluster://n1,,n2?password=hunter2", "empty host"},
		{"redis-cluster://app:hunter2@/", "missing host"},
		{"redis-sentinel://app:hunter2@s1,s2/m?sentinel_password=hunter2&x=1", "unexpected option: x"},
		{"redis://app:hunter2@h/notanumber", "invalid database number"},
		{"redis://h?password=hunter2&bogus=1", "unexpected option: bogus"},
		{"redis://app:hun/ter2@h", "does not parse as a URL"},
		{"redis://app:hun%zzter2@h", "does not parse as a URL"},
		{"redis://app:hunter2@h?dial_timeout=hunter2", "dial_timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			_, err := parseURL(tt.url, Options{})
			if err == nil {
				t.Fatalf("parseURL(%q) succeeded, want an error", tt.url)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.want) {
				t.Errorf("error %q does not say %q", msg, tt.want)
			}
			for _, secret := range []string{"hunter2", "hun", "ter2"} {
				if strings.Contains(msg, secret) {
					t.Errorf("error %q reveals the password", msg)
				}
			}
		})
	}
}

// sameSet reports whether a and b hold the same strings in any order.
func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
