// Package load drives HTTP load over loopback for the benchmarks in
// test/bench.
//
// It has two generators. Closed runs a fixed number of keep-alive clients,
// each sending its next request as soon as the previous answer arrives; it
// measures how many requests per second a target sustains. Open sends
// requests on a fixed schedule, whatever the target does, and times each
// one from the moment it was due rather than the moment it was sent, so a
// target that stalls cannot hide the wait of the requests queued behind
// the stall (coordinated omission).
//
// Both stop by themselves: every run has a duration and a request cap, and
// the client only dials loopback addresses.
package load
