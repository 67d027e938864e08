// Package redisserver starts real redis-server processes for tests, each
// on its own free loopback port with persistence turned off, and stops
// them when the test ends.
//
// Tests that need Redis fail, rather than skip, when redis-server is not
// installed, so that a missing server never passes for a green run.
// Install it with apt-get install redis-server; the project's make test
// does so.
package redisserver
