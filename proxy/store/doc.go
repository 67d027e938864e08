// Package store defines where the idempotency proxy keeps its records: the
// Store interface, the record it stores and the outcomes of a claim.
//
// A key moves through three states. Claim turns an absent key into an
// in-flight claim held by one owner token for a short lease; Complete turns
// that claim into a completed record kept for the route's ttl; Release
// deletes the claim so that a retry executes again. Only the holder of the
// current token can complete, release or extend a claim, so a proxy that
// lost its lease can never overwrite the claim of a newer owner.
//
// The memory and redis sub-packages implement Store; storetest holds the
// conformance suite both must pass.
package store
