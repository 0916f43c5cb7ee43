package main

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// sample is one line of the Prometheus text format: a metric name, its labels and its value.
type sample struct {
	name   string
	labels map[string]string
	value  float64
}

// parsePromText reads the samples of a Prometheus text exposition (comments and timestamps
// are passed over).
func parsePromText(r io.Reader) ([]sample, error) {
	var samples []sample
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		s, err := parseSample(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		samples = append(samples, s)
	}
	return samples, sc.Err()
}

func parseSample(line string) (sample, error) {
	s := sample{labels: map[string]string{}}
	var rest string
	if i := strings.IndexAny(line, "{ "); i > 0 && line[i] == '{' {
		s.name = line[:i]
		end, err := parseLabels(line[i+1:], s.labels)
		if err != nil {
			return s, err
		}
		rest = line[i+1+end:]
	} else {
		s.name, rest, _ = strings.Cut(line, " ")
	}
	fields := strings.Fields(rest)
	if len(fields) == 0 {
		return s, fmt.Errorf("%s has no value", s.name)
	}
	v, err := strconv.ParseFloat(fields[0], 64)
	if err != nil {
		return s, fmt.Errorf("%s: %w", s.name, err)
	}
	s.value = v
	return s, nil
}

// parseLabels reads name="value" pairs up to the closing brace into labels and returns the
// number of bytes read, the brace included.
func parseLabels(text string, labels map[string]string) (int, error) {
	i := 0
	for {
		for i < len(text) && (text[i] == ',' || text[i] == ' ') {
			i++
		}
		if i < len(text) && text[i] == '}' {
			return i + 1, nil
		}
		eq := strings.IndexByte(text[i:], '=')
		if eq < 0 || i+eq+1 >= len(text) || text[i+eq+1] != '"' {
			return 0, fmt.Errorf("labels %q: want name=\"value\"", text)
		}
		name := text[i : i+eq]
		var value strings.Builder
		j := i + eq + 2
		for ; j < len(text) && text[j] != '"'; j++ {
			if text[j] == '\\' && j+1 < len(text) {
				j++
				if text[j] == 'n' {
					value.WriteByte('\n')
					continue
				}
			}
			value.WriteByte(text[j])
		}
		if j >= len(text) {
			return 0, fmt.Errorf("labels %q: unterminated value", text)
		}
		labels[name] = value.String()
		i = j + 1
	}
}
