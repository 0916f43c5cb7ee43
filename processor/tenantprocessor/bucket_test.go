package tenantprocessor

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestBucket(t *testing.T) {
	start := time.Unix(1000, 0)
	type step struct {
		after    time.Duration // since start
		take     float64
		wantWait time.Duration
	}
	tests := []struct {
		name  string
		rate  float64
		steps []step
	}{
		{"unlimited", 0, []step{{0, 1e9, 0}, {0, 1e9, 0}}},
		{"within burst", 100, []step{{0, 150, 0}, {0, 50, 0}, {0, 1, 10 * time.Millisecond}}},
		{"refills at the rate", 100, []step{{0, 200, 0}, {500 * time.Millisecond, 50, 0}, {500 * time.Millisecond, 1, 10 * time.Millisecond}}},
		{"larger than burst waits for a full bucket then goes into debt", 100, []step{
			{0, 500, 0},
			{time.Second, 200, 4 * time.Second},
			{5 * time.Second, 200, 0},
		}},
		{"refill stops at burst", 100, []step{{0, 200, 0}, {time.Hour, 200, 0}, {time.Hour, 1, 10 * time.Millisecond}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bucket
			b.configure(tt.rate, 2, start)
			for i, s := range tt.steps {
				now := start.Add(s.after)
				wait := b.wait(s.take, now)
				assert.InDelta(t, s.wantWait, wait, float64(time.Millisecond), "step %d", i)
				if wait == 0 {
					b.take(s.take)
				}
			}
		})
	}
}

func TestBucketReconfigureKeepsSpentTokens(t *testing.T) {
	start := time.Unix(1000, 0)
	var b bucket
	b.configure(100, 1, start)
	b.take(100)
	b.configure(1000, 1, start)
	assert.Equal(t, 100*time.Millisecond, b.wait(100, start), "a raised limit does not refill the bucket")
	b.configure(10, 1, start.Add(time.Second))
	assert.Equal(t, time.Duration(0), b.wait(10, start.Add(time.Second)), "a lowered limit caps the tokens at the new burst")
	assert.Equal(t, 10.0, b.tokens)
}

func TestBucketRescale(t *testing.T) {
	start := time.Unix(1000, 0)
	tests := []struct {
		name       string
		taken      float64 // from a full bucket of rate 300/s and burst 1s
		factor     float64
		wantTokens float64
		wantWait   time.Duration // for a request of a tenth of the new burst
	}{
		{"full bucket stays full", 0, 1.0 / 3, 100, 0},
		{"half full stays half full", 150, 1.0 / 3, 50, 0},
		{"empty grows nothing", 300, 3.0 / 2, 0, 100 * time.Millisecond},
		{"debt of one second stays one second", 600, 1.0 / 3, -100, 1100 * time.Millisecond},
		{"debt of one second when the fleet shrinks", 600, 3, -900, 1100 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bucket
			b.configure(300, 1, start)
			b.take(tt.taken)
			b.rescale(tt.factor, start)
			assert.InDelta(t, 300*tt.factor, b.rate, 1e-9)
			assert.InDelta(t, tt.wantTokens, b.tokens, 1e-9)
			assert.InDelta(t, tt.wantWait, b.wait(b.burst/10, start), float64(time.Microsecond))
		})
	}
}

func TestBucketRescaleLeavesUnlimitedAndUnusedBuckets(t *testing.T) {
	start := time.Unix(1000, 0)
	var unused bucket
	unused.rescale(3, start)
	assert.Equal(t, bucket{}, unused)

	var unlimited bucket
	unlimited.configure(0, 1, start)
	unlimited.rescale(3, start)
	assert.Zero(t, unlimited.rate, "an unlimited bucket stays unlimited")
}
