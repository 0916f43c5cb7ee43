package tenantprocessor

import (
	"errors"
	"fmt"
	"os"

	"go.opentelemetry.io/collector/confmap"

	"github.com/tailwise/tailwise/internal/tenantid"
)

// overridesFile is the layout of the quota overrides YAML file.
type overridesFile struct {
	Tenants map[string]limitsOverride `mapstructure:"tenants"`
}

// limitsOverride sets some of a tenant's limits; the others stay at the defaults.
type limitsOverride struct {
	SpansPerSecond      *float64 `mapstructure:"spans_per_second"`
	LogRecordsPerSecond *float64 `mapstructure:"log_records_per_second"`
	DataPointsPerSecond *float64 `mapstructure:"data_points_per_second"`
	BytesPerSecond      *float64 `mapstructure:"bytes_per_second"`
}

func (o limitsOverride) over(defaults Limits) Limits {
	set := func(override *float64, value *float64) {
		if override != nil {
			*value = *override
		}
	}
	l := defaults
	set(o.SpansPerSecond, &l.SpansPerSecond)
	set(o.LogRecordsPerSecond, &l.LogRecordsPerSecond)
	set(o.DataPointsPerSecond, &l.DataPointsPerSecond)
	set(o.BytesPerSecond, &l.BytesPerSecond)
	return l
}

func loadOverrides(path string, defaults Limits) (map[string]Limits, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseOverrides(data, defaults)
}

// parseOverrides returns the limits of every tenant the overrides file names.
func parseOverrides(data []byte, defaults Limits) (map[string]Limits, error) {
	retrieved, err := confmap.NewRetrievedFromYAML(data)
	if err != nil {
		return nil, err
	}
	conf, err := retrieved.AsConf()
	if err != nil {
		return nil, err
	}
	var file overridesFile
	if err := conf.Unmarshal(&file); err != nil {
		return nil, err
	}
	limits := make(map[string]Limits, len(file.Tenants))
	var errs []error
	for tenant, override := range file.Tenants {
		if err := tenantid.ValidateID(tenant); err != nil {
			errs = append(errs, fmt.Errorf("tenants: %w", err))
			continue
		}
		l := override.over(defaults)
		if err := l.validate(); err != nil {
			errs = append(errs, fmt.Errorf("tenants::%s::%w", tenant, err))
			continue
		}
		limits[tenant] = l
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return limits, nil
}
