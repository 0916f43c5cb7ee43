package headsamplingextension

import (
	"errors"
	"fmt"
	"net/url"
	"unicode/utf8"
)

// maxServiceNameBytes bounds the service name of a poll.
const maxServiceNameBytes = 1024

// serviceParam reads the service of GET /sampling?service=NAME: exactly one, non-empty, valid
// UTF-8, at most 1 KiB.
func serviceParam(rawQuery string) (string, error) {
	values, err := url.ParseQuery(rawQuery)
	if err != nil {
		return "", fmt.Errorf("malformed query: %w", err)
	}
	names := values["service"]
	if len(names) != 1 {
		return "", errors.New("'service' parameter must be given once: GET /sampling?service=NAME")
	}
	return names[0], checkServiceName(names[0])
}

func checkServiceName(name string) error {
	switch {
	case name == "":
		return errors.New("'service' parameter is empty: GET /sampling?service=NAME")
	case len(name) > maxServiceNameBytes:
		return fmt.Errorf("service name longer than %d bytes", maxServiceNameBytes)
	case !utf8.ValidString(name):
		return errors.New("service name is not valid UTF-8")
	}
	return nil
}
