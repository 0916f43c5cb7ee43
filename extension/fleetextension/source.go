package fleetextension

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
)

// Why a refresh failed; the values of the reason attribute of fleet_refresh_failures.
const (
	reasonLookupFailed   = "lookup_failed"
	reasonNoAddresses    = "no_addresses"
	reasonUnreadableFile = "unreadable_file"
	reasonMalformedFile  = "malformed_file"
	reasonEmptyFile      = "empty_file"
)

// source counts the members of the fleet. Its errors are *refreshError.
type source interface {
	count(ctx context.Context) (int, error)
}

// refreshError is a failed count and its reason for self-telemetry.
type refreshError struct {
	reason string
	err    error
}

func (e *refreshError) Error() string { return e.reason + ": " + e.err.Error() }
func (e *refreshError) Unwrap() error { return e.err }

func failure(reason string, err error) error { return &refreshError{reason: reason, err: err} }

func reasonOf(err error) string {
	var re *refreshError
	if errors.As(err, &re) {
		return re.reason
	}
	return reasonLookupFailed
}

type staticSource int

func (s staticSource) count(context.Context) (int, error) { return max(int(s), 1), nil }

// hostResolver looks up the addresses of a host; *net.Resolver is one.
type hostResolver interface {
	LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error)
}

type dnsSource struct {
	resolver hostResolver
	hostname string
}

// count returns the number of distinct A and AAAA addresses of the hostname.
func (s dnsSource) count(ctx context.Context) (int, error) {
	addrs, err := s.resolver.LookupIPAddr(ctx, s.hostname)
	if err != nil {
		return 0, failure(reasonLookupFailed, err)
	}
	distinct := make(map[string]struct{}, len(addrs))
	for _, a := range addrs {
		distinct[a.String()] = struct{}{}
	}
	if len(distinct) == 0 {
		return 0, failure(reasonNoAddresses, fmt.Errorf("%s has no A or AAAA record", s.hostname))
	}
	return len(distinct), nil
}

type fileSource struct{ path string }

// count returns the number of distinct members the file lists.
func (s fileSource) count(context.Context) (int, error) {
	data, err := os.ReadFile(s.path)
	if err != nil {
		return 0, failure(reasonUnreadableFile, err)
	}
	members, err := parseMembers(data)
	if err != nil {
		return 0, failure(reasonMalformedFile, fmt.Errorf("%s: %w", s.path, err))
	}
	if len(members) == 0 {
		return 0, failure(reasonEmptyFile, fmt.Errorf("%s lists no member", s.path))
	}
	return len(members), nil
}
