package main

import (
	"fmt"

	"github.com/idempotency-operator/idempotency-operator/test/bench/load"
)

// verify compares the app's side-effect count with the keys that got a
// 2xx. A new-key row sends every key once, so the number of keys that got
// a 2xx is the number of 2xx responses, and each must have run the
// mutation exactly once; none may be a replay. A replay row sent its key
// once before the runs, so the app must have run exactly one mutation and
// every response must be a replay.
func verify(t target, runs []load.Result, replayed, total int64) check {
	var completed, succeeded, failed int64
	for _, r := range runs {
		completed += r.Completed
		succeeded += r.Successes()
		failed += r.Errors
	}

	if t.replay {
		if total == 1 && replayed == completed && succeeded == completed {
			return check{passed: true, detail: fmt.Sprintf("1 side effect for 1 key; %d of %d responses replayed",
				replayed, completed)}
		}
		return check{detail: fmt.Sprintf("%d side effects for 1 key; %d of %d responses replayed, %d 2xx",
			total, replayed, completed, succeeded)}
	}

	detail := fmt.Sprintf("%d side effects for %d keys with a 2xx", total, succeeded)
	if replayed != 0 {
		return check{detail: detail + fmt.Sprintf("; %d unexpected replays of new keys", replayed)}
	}
	if total != succeeded {
		if failed > 0 {
			detail += fmt.Sprintf(" (%d requests got no response; they may have run)", failed)
		}
		return check{detail: detail}
	}
	return check{passed: true, detail: detail}
}
