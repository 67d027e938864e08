// Package route compiles the path templates of protected routes and
// matches request paths against them.
//
// A template is a sequence of slash-separated segments. A literal segment
// matches itself, {name} matches exactly one non-empty segment, and a final
// {name...} matches the rest of the path, including further slashes. When
// several templates match a path, the one with more literal segments wins,
// so /api/pairs/create is preferred over /api/pairs/{id}.
package route
