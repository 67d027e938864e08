package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// effectsClient talks to the sample app's side-effect endpoints directly,
// never through a proxy.
var effectsClient = &http.Client{Timeout: 5 * time.Second}

// effects is the part of GET /_effects the harness reads.
type effects struct {
	Total int64 `json:"total"`
}

// resetEffects sets the app's side-effect counts to zero.
func resetEffects(appURL string) error {
	resp, err := effectsClient.Post(appURL+"/_effects/reset", "application/json", nil)
	if err != nil {
		return fmt.Errorf("resetting side effects: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("resetting side effects: %s", resp.Status)
	}
	return nil
}

// sideEffects returns how many side effects the app recorded since the
// last reset.
func sideEffects(appURL string) (int64, error) {
	resp, err := effectsClient.Get(appURL + "/_effects")
	if err != nil {
		return 0, fmt.Errorf("reading side effects: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("reading side effects: %s", resp.Status)
	}
	var e effects
	if err := json.NewDecoder(resp.Body).Decode(&e); err != nil {
		return 0, fmt.Errorf("decoding side effects: %w", err)
	}
	return e.Total, nil
}
