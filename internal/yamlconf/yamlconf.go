// Package yamlconf decodes YAML documents as the collector decodes its configuration: into a
// confmap.Conf, and from it into structs by their mapstructure tags, refusing unknown keys.
// The files the components read on their own (credentials, quota overrides) and tailctl's
// configuration files read this way.
package yamlconf

import "go.opentelemetry.io/collector/confmap"

// Parse returns the YAML document data as a confmap.Conf.
func Parse(data []byte) (*confmap.Conf, error) {
	retrieved, err := confmap.NewRetrievedFromYAML(data)
	if err != nil {
		return nil, err
	}
	return retrieved.AsConf()
}

// Decode decodes the YAML document data into v, over the values v already holds.
func Decode(data []byte, v any) error {
	conf, err := Parse(data)
	if err != nil {
		return err
	}
	return conf.Unmarshal(v)
}
