// Package storetest holds the conformance suite that every store.Store
// must pass, so that the proxy behaves the same whichever store it runs
// on. A store's tests call Run with a function that makes a fresh store.
//
// The suite checks behaviour a proxy relies on: one winner among
// concurrent claims, replay of the stored response byte for byte, owner
// tokens that stop a stale holder, leases and ttls that run out, and
// waiters that wake when a claim ends.
//
// Stores that take a time source get a Clock and pass WithAdvance, so that
// the suite moves time without waiting. Stores that keep time elsewhere,
// such as a Redis server, are tested on the real clock with short leases;
// the suite then polls until a deadline instead of sleeping for a fixed
// time.
package storetest
