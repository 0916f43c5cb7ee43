package redact

import (
	"fmt"
	"maps"
	"slices"

	"go.opentelemetry.io/collector/confmap"
)

// globalOnly are the options a tenant's block cannot set.
var globalOnly = []string{"pseudonym", "tenant_attribute", "tenants"}

// plainConfig decodes and encodes a Config without its Unmarshal method.
type plainConfig Config

// Unmarshal decodes the top-level settings, then each block under `tenants` as the tenant's
// effective settings: the top-level settings with the options the block lists merged over
// them, maps key by key (so a detector field by field), lists and scalars replaced. The
// pseudonym key source and the tenant attribute are global.
func (c *Config) Unmarshal(conf *confmap.Conf) error {
	top := conf.ToStringMap()
	blocks, err := tenantBlocks(top["tenants"])
	if err != nil {
		return err
	}
	delete(top, "tenants")
	if err := confmap.NewFromStringMap(top).Unmarshal((*plainConfig)(c)); err != nil {
		return err
	}
	c.Tenants = nil
	base := confmap.New()
	if err := base.Marshal((*plainConfig)(c)); err != nil {
		return err
	}
	for _, id := range slices.Sorted(maps.Keys(blocks)) {
		block := blocks[id]
		for _, key := range globalOnly {
			if _, ok := block[key]; ok {
				return fmt.Errorf("tenants::%s::%s: global, not per tenant; set it at the top level", id, key)
			}
		}
		merged := confmap.NewFromStringMap(withoutUnset(base.ToStringMap()))
		if err := merged.Merge(confmap.NewFromStringMap(block)); err != nil {
			return fmt.Errorf("tenants::%s: %w", id, err)
		}
		var eff Config
		if err := merged.Unmarshal((*plainConfig)(&eff)); err != nil {
			return fmt.Errorf("tenants::%s: %w", id, err)
		}
		if c.Tenants == nil {
			c.Tenants = make(map[string]Config, len(blocks))
		}
		c.Tenants[id] = eff
	}
	return nil
}

// withoutUnset removes from the encoded settings what encoding added for unset fields (nil
// values, the empty lists of nil slices and the empty maps of nil maps), so that decoding
// them back leaves those unset and a tenant's block merges into them.
func withoutUnset(m map[string]any) map[string]any {
	for k, v := range m {
		switch x := v.(type) {
		case nil:
			delete(m, k)
		case []any:
			if len(x) == 0 {
				delete(m, k)
			}
		case map[string]any:
			if len(withoutUnset(x)) == 0 {
				delete(m, k)
			}
		}
	}
	return m
}

// tenantBlocks reads the raw tenants map: tenant ID to its block of options.
func tenantBlocks(raw any) (map[string]map[string]any, error) {
	if raw == nil {
		return nil, nil
	}
	m, ok := raw.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("tenants: a map of tenant ID to options, not %T", raw)
	}
	blocks := make(map[string]map[string]any, len(m))
	for id, v := range m {
		switch b := v.(type) {
		case nil:
			blocks[id] = map[string]any{}
		case map[string]any:
			blocks[id] = b
		default:
			return nil, fmt.Errorf("tenants::%s: a map of options, not %T", id, v)
		}
	}
	return blocks, nil
}

// ForTenant returns the effective settings of a tenant; an unlisted tenant gets the top-level
// settings. The result has no tenants.
func (c *Config) ForTenant(id string) Config {
	if t, ok := c.Tenants[id]; ok {
		return t
	}
	eff := *c
	eff.Tenants = nil
	return eff
}
