package fleetextension

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"strconv"
	"strings"
)

// parseMembers returns the distinct members a members file lists: one host:port a line, the
// list of the load-balancing exporter's static resolver. '#' starts a comment; blank lines
// are ignored. A malformed line rejects the whole file, which may be half written.
func parseMembers(data []byte) ([]string, error) {
	var members []string
	seen := make(map[string]struct{})
	scanner := bufio.NewScanner(bytes.NewReader(data))
	scanner.Buffer(nil, len(data)+1)
	for line := 1; scanner.Scan(); line++ {
		text, _, _ := strings.Cut(scanner.Text(), "#")
		member := strings.TrimSpace(text)
		if member == "" {
			continue
		}
		if err := validateMember(member); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		if _, dup := seen[member]; !dup {
			seen[member] = struct{}{}
			members = append(members, member)
		}
	}
	if err := scanner.Err(); err != nil {
		return nil, err
	}
	return members, nil
}

func validateMember(member string) error {
	host, port, err := net.SplitHostPort(member)
	if err != nil {
		return fmt.Errorf("%q is not host:port: %w", member, err)
	}
	if host == "" || strings.ContainsAny(host, " \t") {
		return fmt.Errorf("%q has no valid host before the port", member)
	}
	if n, err := strconv.ParseUint(port, 10, 16); err != nil || n == 0 {
		return fmt.Errorf("%q has port %q, not a number from 1 to 65535", member, port)
	}
	return nil
}
