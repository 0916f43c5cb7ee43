package yamlconf

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

type settings struct {
	Name     string        `mapstructure:"name"`
	Interval time.Duration `mapstructure:"interval"`
	Limit    int           `mapstructure:"limit"`
}

func TestDecode(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string
		want    settings
		wantErr string
	}{
		{"over the defaults", "name: a\ninterval: 5s", settings{Name: "a", Interval: 5 * time.Second, Limit: 7}, ""},
		{"empty document", "", settings{Limit: 7}, ""},
		{"unknown key", "label: a", settings{}, "has invalid keys: label"},
		{"wrong type", "limit: many", settings{}, "limit"},
		{"not YAML", "name: [", settings{}, "yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := settings{Limit: 7}
			err := Decode([]byte(tt.yaml), &got)
			if tt.wantErr != "" {
				assert.ErrorContains(t, err, tt.wantErr)
				return
			}
			assert.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}
