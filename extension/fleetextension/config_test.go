package fleetextension

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"

	"github.com/tailwise/tailwise/extension/fleetextension/internal/metadata"
	"github.com/tailwise/tailwise/internal/configtest"
)

func TestLoadConfig(t *testing.T) {
	const headless = "tailwise-gateway-headless.observability.svc.cluster.local"
	tests := []struct {
		name    string
		want    *Config
		wantErr []string
	}{
		{name: "static", want: &Config{Static: &StaticConfig{Members: 3}}},
		{name: "dns", want: &Config{DNS: &DNSConfig{Hostname: headless, Interval: 30 * time.Second}}},
		{name: "dns_default_interval", want: &Config{DNS: &DNSConfig{Hostname: headless}}},
		{name: "file", want: &Config{File: &FileConfig{Path: "/etc/tailwise/fleet/members", Interval: 5 * time.Second}}},
		{name: "no_source", wantErr: []string{"set exactly one of static, dns or file"}},
		{name: "two_sources", wantErr: []string{"static, file are all set: keep exactly one source"}},
		{name: "zero_members", wantErr: []string{"static::members: 0 is below 1; set it to the number of gateways"}},
		{name: "dns_without_hostname", wantErr: []string{"dns::hostname: required; use the headless service"}},
		{name: "file_negative_interval", wantErr: []string{"file::interval: -5s is negative"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := NewFactory().CreateDefaultConfig()
			err := configtest.Load(t, component.NewIDWithName(metadata.Type, tt.name), cfg)
			if tt.wantErr != nil {
				configtest.ErrorSays(t, err, tt.wantErr...)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, cfg)
		})
	}
}

func TestSourceOf(t *testing.T) {
	resolver := &fakeResolver{}
	tests := []struct {
		name         string
		cfg          *Config
		wantSource   source
		wantInterval time.Duration
	}{
		{"static", &Config{Static: &StaticConfig{Members: 4}}, staticSource(4), 0},
		{"dns", &Config{DNS: &DNSConfig{Hostname: "gw", Interval: time.Minute}}, dnsSource{resolver: resolver, hostname: "gw"}, time.Minute},
		{"dns default interval", &Config{DNS: &DNSConfig{Hostname: "gw"}}, dnsSource{resolver: resolver, hostname: "gw"}, defaultDNSInterval},
		{"file default interval", &Config{File: &FileConfig{Path: "members"}}, fileSource{path: "members"}, defaultFileInterval},
		{"no source", &Config{}, staticSource(1), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, interval := sourceOf(tt.cfg, resolver)
			assert.Equal(t, tt.wantSource, src)
			assert.Equal(t, tt.wantInterval, interval)
		})
	}
}
