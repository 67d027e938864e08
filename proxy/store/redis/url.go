package redis

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	goredis "github.com/redis/go-redis/v9"
)

// Default ports for host lists that leave them out.
const (
	defaultPort         = "6379"
	defaultSentinelPort = "26379"
)

// supportedSchemes names the URL schemes New accepts, for error messages.
const supportedSchemes = "redis, rediss, unix, redis-sentinel, rediss-sentinel, " +
	"redis-cluster or rediss-cluster"

// clientConfig is a parsed store URL. Exactly one of its fields is set.
type clientConfig struct {
	single   *goredis.Options
	cluster  *goredis.ClusterOptions
	failover *goredis.FailoverOptions
}

// parseURL parses raw into client options, with the connection settings
// the URL leaves unset taken from o. Its errors never contain a password.
func parseURL(raw string, o Options) (clientConfig, error) {
	// url.Parse reads the host list of a cluster or Sentinel URL as one
	// host and rejects it unless the last host has a port, so the list is
	// taken out first and put back after parsing.
	parsable, hosts := raw, ""
	if scheme, _, _ := strings.Cut(raw, "://"); multiHostSchemes[scheme] {
		parsable, hosts = cutHosts(raw)
	}

	u, err := url.Parse(parsable)
	if err != nil {
		return clientConfig{}, fmt.Errorf(
			"invalid redis URL %q: it does not parse as a URL; percent-encode any of "+
				"@ : / ? # %% in the user name and password", displayUnparsable(raw))
	}
	if hosts != "" {
		u.Host = hosts
	}

	cfg, err := parseScheme(u)
	if err != nil {
		msg := fmt.Sprintf("invalid redis URL %q: %s", displayURL(u), err)
		return clientConfig{}, errors.New(scrub(msg, secrets(u)))
	}
	cfg.tunables().apply(o)
	return cfg, nil
}

// multiHostSchemes are the schemes whose URLs name a list of hosts.
var multiHostSchemes = map[string]bool{
	"redis-cluster":   true,
	"rediss-cluster":  true,
	"redis-sentinel":  true,
	"rediss-sentinel": true,
}

// hostsPlaceholder stands in for a host list while a URL is parsed.
const hostsPlaceholder = "hosts.invalid"

// cutHosts replaces the host list of raw with a placeholder and returns
// both. The list ends where url.Parse ends the authority: at the first
// '/', '?' or '#'; it starts after the last '@' before that.
func cutHosts(raw string) (string, string) {
	scheme, rest, _ := strings.Cut(raw, "://")
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	start := strings.LastIndex(rest[:end], "@") + 1
	if start == end {
		return raw, ""
	}
	return scheme + "://" + rest[:start] + hostsPlaceholder + rest[end:], rest[start:end]
}

// parseScheme reads u according to its scheme.
func parseScheme(u *url.URL) (clientConfig, error) {
	switch u.Scheme {
	case "redis", "rediss", "unix":
		o, err := goredis.ParseURL(u.String())
		return clientConfig{single: o}, err

	case "redis-cluster", "rediss-cluster":
		cu, err := clusterURL(u)
		if err != nil {
			return clientConfig{}, err
		}
		o, err := goredis.ParseClusterURL(cu)
		return clientConfig{cluster: o}, err

	case "redis-sentinel", "rediss-sentinel":
		fu, err := failoverURL(u)
		if err != nil {
			return clientConfig{}, err
		}
		o, err := goredis.ParseFailoverURL(fu)
		return clientConfig{failover: o}, err

	case "":
		return clientConfig{}, fmt.Errorf("missing scheme: use one of %s, as in redis://host:6379/0",
			supportedSchemes)
	default:
		return clientConfig{}, fmt.Errorf("unsupported scheme %q: use one of %s",
			u.Scheme, supportedSchemes)
	}
}

// clusterURL rewrites redis-cluster://[user:password@]host1:port1,host2:port2[?options]
// into the form go-redis parses: the first host in the authority and the
// others as addr parameters.
func clusterURL(u *url.URL) (string, error) {
	if strings.Trim(u.Path, "/") != "" {
		return "", errors.New("a cluster has a single database: remove the path")
	}
	hosts, err := splitHosts(u.Host, defaultPort)
	if err != nil {
		return "", err
	}

	q := u.Query()
	for _, h := range hosts[1:] {
		q.Add("addr", h)
	}
	v := url.URL{
		Scheme:   strings.TrimSuffix(u.Scheme, "-cluster"),
		User:     u.User,
		Host:     hosts[0],
		RawQuery: q.Encode(),
	}
	return v.String(), nil
}

// failoverURL rewrites
// redis-sentinel://[user:password@]host1[:port1],host2[:port2]/master[/db][?options]
// into the form go-redis parses. The user info holds the credentials of
// the primary; Sentinel's own, if it needs any, come from the
// sentinel_username and sentinel_password parameters.
func failoverURL(u *url.URL) (string, error) {
	hosts, err := splitHosts(u.Host, defaultSentinelPort)
	if err != nil {
		return "", err
	}

	q := u.Query()
	var db string
	switch path := strings.FieldsFunc(u.Path, func(r rune) bool { return r == '/' }); len(path) {
	case 0:
	case 1, 2:
		if q.Has("master_name") {
			return "", errors.New("the master is named twice: in the path and in master_name")
		}
		q.Set("master_name", path[0])
		if len(path) == 2 {
			db = "/" + path[1]
		}
	default:
		return "", fmt.Errorf("invalid path %q: want /master or /master/db", u.Path)
	}
	if q.Get("master_name") == "" {
		return "", errors.New("missing master name: use redis-sentinel://host:26379/mymaster")
	}

	if u.User != nil {
		q.Set("username", u.User.Username())
		if p, ok := u.User.Password(); ok {
			q.Set("password", p)
		}
	}
	var sentinelUser *url.Userinfo
	if su, sp := q.Get("sentinel_username"), q.Get("sentinel_password"); su != "" || sp != "" {
		sentinelUser = url.UserPassword(su, sp)
	}
	q.Del("sentinel_username")
	q.Del("sentinel_password")
	for _, h := range hosts[1:] {
		q.Add("addr", h)
	}

	v := url.URL{
		Scheme:   strings.TrimSuffix(u.Scheme, "-sentinel"),
		User:     sentinelUser,
		Host:     hosts[0],
		Path:     db,
		RawQuery: q.Encode(),
	}
	return v.String(), nil
}

// splitHosts splits a comma-separated host list and gives each host
// without a port the default one.
func splitHosts(list, port string) ([]string, error) {
	if list == "" {
		return nil, errors.New("missing host")
	}
	var hosts []string
	for h := range strings.SplitSeq(list, ",") {
		if h == "" {
			return nil, fmt.Errorf("empty host in list %q", list)
		}
		if _, _, err := net.SplitHostPort(h); err == nil {
			hosts = append(hosts, h)
			continue
		}
		hosts = append(hosts, net.JoinHostPort(strings.Trim(h, "[]"), port))
	}
	return hosts, nil
}

// tunables returns the connection settings of whichever options are set.
func (c clientConfig) tunables() tunables {
	switch {
	case c.cluster != nil:
		return clusterTunables(c.cluster)
	case c.failover != nil:
		return failoverTunables(c.failover)
	default:
		return singleTunables(c.single)
	}
}

// client builds the go-redis client for the configuration.
func (c clientConfig) client() goredis.UniversalClient {
	switch {
	case c.cluster != nil:
		return goredis.NewClusterClient(c.cluster)
	case c.failover != nil:
		return goredis.NewFailoverClient(c.failover)
	default:
		return goredis.NewClient(c.single)
	}
}
