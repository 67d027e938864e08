// Package stores opens the stores that policies name and shares them: all
// policies on the embedded memory store use one instance, and policies on
// the same Redis URL and key prefix share one client. Stores stay open
// across configuration reloads, so a reload neither reconnects nor drops
// the memory store's records.
package stores
