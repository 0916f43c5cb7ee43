package tenantprocessor

import (
	"math"
	"time"
)

// bucket is a token bucket that may go into debt: a request is admitted when the bucket holds
// as many tokens as the request needs, or is full, and then takes all it needs. A request
// larger than the bucket is thus admitted once the bucket is full, and the debt it leaves keeps
// the long-run rate at the limit. (golang.org/x/time/rate refuses such a request forever.)
type bucket struct {
	rate   float64 // tokens per second; 0 is unlimited
	burst  float64
	tokens float64
	last   time.Time
}

func (b *bucket) configure(rate, burstSeconds float64, now time.Time) {
	if b.rate == rate {
		return
	}
	fresh := b.last.IsZero()
	b.refill(now)
	b.rate = rate
	b.burst = rate * burstSeconds
	if fresh || b.tokens > b.burst {
		b.tokens = b.burst
	}
	b.last = now
}

// rescale multiplies the rate, the burst and the tokens by factor: the bucket keeps its fill
// level, so a half-full bucket stays half full and a debt of one second of the rate stays one
// second.
func (b *bucket) rescale(factor float64, now time.Time) {
	if b.rate == 0 || b.last.IsZero() {
		return
	}
	b.refill(now)
	b.rate *= factor
	b.burst *= factor
	b.tokens *= factor
}

func (b *bucket) refill(now time.Time) {
	if elapsed := now.Sub(b.last).Seconds(); elapsed > 0 {
		b.tokens = math.Min(b.burst, b.tokens+elapsed*b.rate)
		b.last = now
	}
}

// wait returns how long until n tokens can be taken; 0 if they can be now.
func (b *bucket) wait(n float64, now time.Time) time.Duration {
	if b.rate == 0 {
		return 0
	}
	b.refill(now)
	need := math.Min(n, b.burst)
	if b.tokens >= need {
		return 0
	}
	return time.Duration((need - b.tokens) / b.rate * float64(time.Second))
}

// take removes n tokens; call it after wait returned 0.
func (b *bucket) take(n float64) {
	if b.rate != 0 {
		b.tokens -= n
	}
}
