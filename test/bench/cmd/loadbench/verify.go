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
// every 2xx must be a replay. A request refused with an error status (a
// store outage answered 503, say) ran nothing; it shows among the
// responses that were not 2xx, not as a failed check.
func verify(t target, runs []load.Result, replayed, total int64) check {
	var succeeded, failed int64
	for _, r := range runs {
		succeeded += r.Successes()
		failed += r.Errors
	}

	if t.replay {
		detail := fmt.Sprintf("%s for 1 key; %d of %d 2xx responses replayed",
			sideEffectCount(total), replayed, succeeded)
		return check{passed: total == 1 && replayed == succeeded, detail: detail}
	}

	detail := fmt.Sprintf("%s for %d keys with a 2xx", sideEffectCount(total), succeeded)
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

func sideEffectCount(n int64) string {
	if n == 1 {
		return "1 side effect"
	}
	return fmt.Sprintf("%d side effects", n)
}
