package cardinality

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestLabelerCapsAndReranks(t *testing.T) {
	now := time.Unix(0, 0)
	l := NewLabeler(2, time.Minute, func() time.Time { return now })

	assert.Equal(t, "a", l.Label("a"))
	assert.Equal(t, "b", l.Label("b"))
	assert.Equal(t, Overflow, l.Label("c"))
	for range 5 {
		l.Label("c")
	}

	now = now.Add(time.Minute)
	assert.Equal(t, "c", l.Label("c"), "the busiest tenant of the last period keeps its label")
	assert.Equal(t, "a", l.Label("a"))
	assert.Equal(t, Overflow, l.Label("b"), "b sent as many requests as a but ranks after it")
	assert.Equal(t, None, l.Label(None), "no value is never capped")
}
