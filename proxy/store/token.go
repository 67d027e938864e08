package store

import (
	"crypto/rand"
	"encoding/hex"
)

// NewToken returns a random 128-bit owner token in hex. Tokens must not be
// guessable: a token is the only proof that a caller holds a claim.
func NewToken() string {
	var b [16]byte
	// crypto/rand.Read never returns an error; it crashes the program
	// if the system's random source fails.
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
