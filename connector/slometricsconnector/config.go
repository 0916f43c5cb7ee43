package slometricsconnector

import (
	"errors"
	"fmt"
	"time"

	"go.opentelemetry.io/collector/component"
)

// Config of the slo_metrics connector.
type Config struct {
	// Decisions is the trace_decisions extension whose sampler decides which exemplars are kept.
	Decisions component.ID `mapstructure:"decisions"`
	// RouteAttributes are span attributes tried in order for the route; the span name otherwise.
	RouteAttributes []string `mapstructure:"route_attributes"`
	// Buckets are the duration histogram's upper bounds.
	Buckets []time.Duration `mapstructure:"buckets"`
	// FlushInterval is how often the metrics are emitted.
	FlushInterval time.Duration `mapstructure:"flush_interval"`
	// MaxSeries caps the series held; entry spans of further series are counted in one overflow
	// series per service (route "_other").
	MaxSeries int `mapstructure:"max_series"`
	// Namespace prefixes the metric names.
	Namespace string `mapstructure:"namespace"`
	// InstanceID is written as service.instance.id on every resource (Prometheus' instance
	// label), so that the series of several gateways behind a load balancer do not collide.
	// Empty: the host name.
	InstanceID string `mapstructure:"instance_id"`
	// TenantAttribute is the resource attribute that names the tenant of the spans (as the tenant
	// processor stamps it): each tenant's series are kept apart and carry it on their resource.
	// Empty ignores tenants.
	TenantAttribute string          `mapstructure:"tenant_attribute"`
	Exemplars       ExemplarsConfig `mapstructure:"exemplars"`
}

// ExemplarsConfig tunes the exemplar candidates held until their trace is decided.
type ExemplarsConfig struct {
	// CandidatesPerBucket held per histogram bucket; the oldest is evicted for a newer one.
	CandidatesPerBucket int `mapstructure:"candidates_per_bucket"`
	// MaxWait for a decision; a candidate whose trace is still undecided then is discarded.
	MaxWait time.Duration `mapstructure:"max_wait"`
}

func createDefaultConfig() component.Config {
	return &Config{
		Buckets: []time.Duration{
			5 * time.Millisecond, 10 * time.Millisecond, 25 * time.Millisecond, 50 * time.Millisecond,
			100 * time.Millisecond, 250 * time.Millisecond, 500 * time.Millisecond, time.Second,
			2500 * time.Millisecond, 5 * time.Second, 10 * time.Second,
		},
		FlushInterval:   15 * time.Second,
		MaxSeries:       10000,
		Namespace:       "slo",
		TenantAttribute: "tenant.id",
		Exemplars:       ExemplarsConfig{CandidatesPerBucket: 4, MaxWait: 2 * time.Minute},
	}
}

// Validate checks the configuration.
func (c *Config) Validate() error {
	var errs []error
	if c.Decisions == (component.ID{}) {
		errs = append(errs, errors.New("decisions: name the trace_decisions extension the sampler publishes to, e.g. decisions: trace_decisions"))
	}
	if len(c.Buckets) == 0 {
		errs = append(errs, errors.New("buckets: set at least one bucket bound, e.g. [100ms, 1s]"))
	}
	for i := 1; i < len(c.Buckets); i++ {
		if c.Buckets[i] <= c.Buckets[i-1] {
			errs = append(errs, fmt.Errorf("buckets: %v must be strictly increasing", c.Buckets))
			break
		}
	}
	if c.FlushInterval <= 0 {
		errs = append(errs, fmt.Errorf("flush_interval: %v must be positive, e.g. 15s", c.FlushInterval))
	}
	if c.MaxSeries < 1 {
		errs = append(errs, fmt.Errorf("max_series: %d must be at least 1", c.MaxSeries))
	}
	if c.Exemplars.CandidatesPerBucket < 1 {
		errs = append(errs, fmt.Errorf("exemplars::candidates_per_bucket: %d must be at least 1", c.Exemplars.CandidatesPerBucket))
	}
	if c.Exemplars.MaxWait < c.FlushInterval {
		errs = append(errs, fmt.Errorf("exemplars::max_wait: %v must be at least flush_interval (%v) and should exceed the sampler's trace_timeout", c.Exemplars.MaxWait, c.FlushInterval))
	}
	return errors.Join(errs...)
}
