package tenantid

import (
	"strings"
	"testing"

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

func TestValidateMismatchAction(t *testing.T) {
	tests := []struct {
		action, quarantine string
		wantErr            string
	}{
		{ActionRefuse, "", ""},
		{ActionQuarantine, "suspicious", ""},
		{ActionQuarantine, "", "quarantine_tenant: tenant ID is empty"},
		{"drop", "", `on_claim_mismatch: "drop" is not one of "refuse", "quarantine"`},
	}
	for _, tt := range tests {
		t.Run(tt.action+"/"+tt.quarantine, func(t *testing.T) {
			err := ValidateMismatchAction(tt.action, tt.quarantine)
			if tt.wantErr == "" {
				assert.NoError(t, err)
			} else {
				assert.EqualError(t, err, tt.wantErr)
			}
		})
	}
}
