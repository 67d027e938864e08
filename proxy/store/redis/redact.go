package redis

import (
	"net/url"
	"strings"
)

// mask replaces a secret wherever a URL is shown.
const mask = "xxxxx"

// passwordParams are the query parameters that carry a password.
var passwordParams = []string{"password", "sentinel_password"}

// displayURL returns u as it may appear in an error or a log: without
// the password of its user info or of its query.
func displayURL(u *url.URL) string {
	v := *u
	if u.RawQuery != "" {
		q := u.Query()
		for name := range q {
			if isPasswordParam(name) {
				q.Set(name, mask)
			}
		}
		v.RawQuery = q.Encode()
	}
	return v.Redacted()
}

// displayUnparsable returns a URL that url.Parse rejected as it may appear
// in an error. Since the URL's structure is unknown, everything between
// the scheme and the last '@' is hidden; without an '@' there is no user
// info, and only password query parameters are hidden.
func displayUnparsable(raw string) string {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return maskQuery(raw)
	}
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		return scheme + "://" + mask + maskQuery(rest[at:])
	}
	return scheme + "://" + maskQuery(rest)
}

// maskQuery hides the values of password parameters in s, scanning the
// text instead of parsing it, since s may not parse.
func maskQuery(s string) string {
	base, query, ok := strings.Cut(s, "?")
	if !ok {
		return s
	}
	params := strings.Split(query, "&")
	for i, p := range params {
		name, _, _ := strings.Cut(p, "=")
		if isPasswordParam(name) {
			params[i] = name + "=" + mask
		}
	}
	return base + "?" + strings.Join(params, "&")
}

// secrets returns the passwords that u carries, as written and decoded,
// so that they can be scrubbed from messages that echo parts of it.
func secrets(u *url.URL) []string {
	var found []string
	if u.User != nil {
		if p, ok := u.User.Password(); ok {
			found = append(found, p, url.QueryEscape(p), url.PathEscape(p))
		}
	}
	for name, values := range u.Query() {
		if isPasswordParam(name) {
			for _, p := range values {
				found = append(found, p, url.QueryEscape(p))
			}
		}
	}
	return found
}

// scrub replaces every secret in msg with the mask.
func scrub(msg string, secrets []string) string {
	for _, s := range secrets {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, mask)
		}
	}
	return msg
}

// isPasswordParam reports whether the query parameter name carries a
// password.
func isPasswordParam(name string) bool {
	for _, p := range passwordParams {
		if strings.EqualFold(name, p) {
			return true
		}
	}
	return false
}
