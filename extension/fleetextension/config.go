package fleetextension

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Default refresh intervals, used when a source leaves interval unset.
const (
	defaultDNSInterval  = 10 * time.Second
	defaultFileInterval = 5 * time.Second
)

// Config of the fleet extension: exactly one source of the fleet size.
type Config struct {
	// Static is a fixed fleet size.
	Static *StaticConfig `mapstructure:"static"`
	// DNS counts the distinct addresses a hostname resolves to, such as a headless service's.
	DNS *DNSConfig `mapstructure:"dns"`
	// File counts the members listed in a file, one host:port a line.
	File *FileConfig `mapstructure:"file"`
}

// StaticConfig is a fixed fleet size.
type StaticConfig struct {
	// Members is the number of gateways in the fleet.
	Members int `mapstructure:"members"`
}

// DNSConfig counts the distinct A and AAAA addresses of a hostname.
type DNSConfig struct {
	// Hostname is resolved every Interval, for example a Kubernetes headless service.
	Hostname string `mapstructure:"hostname"`
	// Interval between lookups; 10s when unset. A lookup is abandoned after one interval.
	Interval time.Duration `mapstructure:"interval"`
}

// FileConfig counts the members listed in a file.
type FileConfig struct {
	// Path of the members file: one host:port a line, '#' starts a comment.
	Path string `mapstructure:"path"`
	// Interval between reads of the file; 5s when unset.
	Interval time.Duration `mapstructure:"interval"`
}

// Validate checks that exactly one source is set and that it is usable.
func (c *Config) Validate() error {
	var set []string
	var errs []error
	if c.Static != nil {
		set = append(set, "static")
		if c.Static.Members < 1 {
			errs = append(errs, fmt.Errorf("static::members: %d is below 1; set it to the number of gateways in the fleet", c.Static.Members))
		}
	}
	if c.DNS != nil {
		set = append(set, "dns")
		if strings.TrimSpace(c.DNS.Hostname) == "" {
			errs = append(errs, errors.New("dns::hostname: required; use the headless service of the gateways, as the load-balancing exporter's resolver does"))
		}
		if c.DNS.Interval < 0 {
			errs = append(errs, fmt.Errorf("dns::interval: %v is negative; use a duration such as 10s, or leave it unset", c.DNS.Interval))
		}
	}
	if c.File != nil {
		set = append(set, "file")
		if strings.TrimSpace(c.File.Path) == "" {
			errs = append(errs, errors.New("file::path: required; use the file that lists the gateways, one host:port a line"))
		}
		if c.File.Interval < 0 {
			errs = append(errs, fmt.Errorf("file::interval: %v is negative; use a duration such as 5s, or leave it unset", c.File.Interval))
		}
	}
	switch len(set) {
	case 0:
		errs = append(errs, errors.New("no source of the fleet size: set exactly one of static, dns or file"))
	case 1:
	default:
		errs = append(errs, fmt.Errorf("%s are all set: keep exactly one source of the fleet size", strings.Join(set, ", ")))
	}
	return errors.Join(errs...)
}
