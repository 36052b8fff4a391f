package limiter

import "time"

// Clock tells the time; tests replace it.
type Clock interface {
	Now() time.Time
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }
