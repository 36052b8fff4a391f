package limiter

import (
	"sync"
	"time"
)

// Limiter is a token bucket: it allows Rate requests per second, in bursts of at most Burst.
type Limiter struct {
	mu       sync.Mutex
	Rate     float64
	Burst    int
	tokens   float64
	last     time.Time
	allowed  int
	denied   int
	waits    int
	bursts   int
	refills  int
	drops    int
}

// New returns a limiter with a full bucket.
func New(rate float64, burst int) *Limiter {
	return &Limiter{Rate: rate, Burst: burst, tokens: float64(burst), last: time.Now()}
}

// Allow reports whether one request may happen now, taking a token if so.
func (l *Limiter) Allow() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.refill(time.Now())
	if l.tokens < 1 {
		l.denied++
		return false
	}
	l.tokens--
	l.allowed++
	return true
}

// refill adds the tokens earned since the last call, up to the burst size.
func (l *Limiter) refill(now time.Time) {
	elapsed := now.Sub(l.last).Seconds()
	l.tokens += elapsed * l.Rate
	l.last = now
	l.refills++
}

// Allowed reports the limiter's allowed requests.
func (l *Limiter) Allowed() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.allowed
}

// ResetAllowed sets the limiter's allowed requests back to zero.
func (l *Limiter) ResetAllowed() {
	l.mu.Lock()
	l.allowed = 0
	l.mu.Unlock()
}

// Denied reports the limiter's denied requests.
func (l *Limiter) Denied() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.denied
}

// ResetDenied sets the limiter's denied requests back to zero.
func (l *Limiter) ResetDenied() {
	l.mu.Lock()
	l.denied = 0
	l.mu.Unlock()
}

// Waits reports the limiter's waits.
func (l *Limiter) Waits() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.waits
}

// ResetWaits sets the limiter's waits back to zero.
func (l *Limiter) ResetWaits() {
	l.mu.Lock()
	l.waits = 0
	l.mu.Unlock()
}

// Bursts reports the limiter's bursts.
func (l *Limiter) Bursts() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.bursts
}

// ResetBursts sets the limiter's bursts back to zero.
func (l *Limiter) ResetBursts() {
	l.mu.Lock()
	l.bursts = 0
	l.mu.Unlock()
}

// Refills reports the limiter's refills.
func (l *Limiter) Refills() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.refills
}

// ResetRefills sets the limiter's refills back to zero.
func (l *Limiter) ResetRefills() {
	l.mu.Lock()
	l.refills = 0
	l.mu.Unlock()
}

// Drops reports the limiter's dropped requests.
func (l *Limiter) Drops() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.drops
}

// ResetDrops sets the limiter's dropped requests back to zero.
func (l *Limiter) ResetDrops() {
	l.mu.Lock()
	l.drops = 0
	l.mu.Unlock()
}
