package tenancy

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestValidateID(t *testing.T) {
	tests := []struct {
		id    string
		valid bool
	}{
		{"team-a", true},
		{"Team_B.prod", true},
		{"a!-_.*'()z", true},
		{strings.Repeat("x", MaxIDLength), true},
		{strings.Repeat("x", MaxIDLength+1), false},
		{"", false},
		{".", false},
		{"..", false},
		{"...", true},
		{"team a", false},
		{"team/a", false},
		{"team|a", false},
		{"tenant\x00", false},
		{"é", false},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			err := ValidateID(tt.id)
			if tt.valid {
				assert.NoError(t, err)
			} else {
				assert.Error(t, err)
			}
		})
	}
}

func TestLabelerCapsAndReranks(t *testing.T) {
	now := time.Unix(0, 0)
	l := NewLabeler(2, time.Minute, func() time.Time { return now })

	assert.Equal(t, "a", l.Label("a"))
	assert.Equal(t, "b", l.Label("b"))
	assert.Equal(t, OtherLabel, l.Label("c"))
	for range 5 {
		l.Label("c")
	}

	now = now.Add(time.Minute)
	assert.Equal(t, "c", l.Label("c"), "the busiest tenant of the last period keeps its label")
	assert.Equal(t, "a", l.Label("a"))
	assert.Equal(t, OtherLabel, l.Label("b"), "b sent as many requests as a but ranks after it")
}
