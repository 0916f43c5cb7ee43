package tenantprocessor

import (
	"errors"
	"fmt"
	"os"

	"go.opentelemetry.io/collector/confmap"

	"github.com/tailwise/tailwise/internal/tenantid"
	"github.com/tailwise/tailwise/internal/yamlconf"
)

// overridesFile is the layout of the quota overrides YAML file: per tenant, the limits it sets,
// decoded over the defaults so that the limits it leaves out keep their default.
type overridesFile struct {
	Tenants map[string]map[string]any `mapstructure:"tenants"`
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
	var file overridesFile
	if err := yamlconf.Decode(data, &file); err != nil {
		return nil, err
	}
	limits := make(map[string]Limits, len(file.Tenants))
	var errs []error
	for tenant, override := range file.Tenants {
		if err := tenantid.ValidateID(tenant); err != nil {
			errs = append(errs, fmt.Errorf("tenants: %w", err))
			continue
		}
		l := defaults
		if err := confmap.NewFromStringMap(override).Unmarshal(&l); err != nil {
			errs = append(errs, fmt.Errorf("tenants::%s: %w", tenant, err))
			continue
		}
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
