package tracectx // import "github.com/tailwise/tailwise/processor/tracecontextprocessor/internal/tracectx"

// role is what the value under a key holds.
type role uint8

const (
	roleNone role = iota
	// roleDisabled marks the keys of a switched-off format: they match, so that a shorter key
	// does not match in their place, and are skipped.
	roleDisabled
	roleTraceID
	roleSpanID
	roleFlags
	roleDatadogTraceID
	roleDatadogSpanID
	roleTraceparent
	roleB3
	roleB3TraceID
	roleB3SpanID
	roleB3Sampled
	roleB3Flags
	roleUberTraceID
	roleXRayHeader
	roleXRayRoot
)

// MaxKeyLen bounds the keys looked up; longer words in text are skipped without a lookup.
const MaxKeyLen = 64

// Keys are the configured key names, matched case-insensitively.
type Keys struct {
	TraceID        []string
	SpanID         []string
	TraceFlags     []string
	DatadogTraceID []string
	DatadogSpanID  []string
}

// Formats switches the built-in formats on and off.
type Formats struct {
	W3C      bool
	B3       bool
	Jaeger   bool
	XRay     bool
	KeyValue bool
	Sleuth   bool
	Datadog  bool
}

// keyIndex maps lower-cased key names to roles. The length range and the set of last bytes
// of the keys reject most words of a text before any hashing.
type keyIndex struct {
	roles          map[string]role
	minLen, maxLen int
	lastByte       [256]bool
}

func newKeyIndex(keys Keys, formats Formats) keyIndex {
	idx := keyIndex{roles: map[string]role{}, minLen: MaxKeyLen + 1}
	add := func(r role, names ...string) {
		for _, n := range names {
			if n == "" || len(n) > MaxKeyLen {
				continue
			}
			var buf [MaxKeyLen]byte
			size := 0
			appendLower(&buf, &size, n)
			lower := string(buf[:size])
			idx.roles[lower] = r
			idx.minLen, idx.maxLen = min(idx.minLen, len(n)), max(idx.maxLen, len(n))
			last := lower[len(lower)-1]
			idx.lastByte[last] = true
			if 'a' <= last && last <= 'z' {
				idx.lastByte[last-'a'+'A'] = true
			}
		}
	}
	add(roleTraceID, keys.TraceID...)
	add(roleSpanID, keys.SpanID...)
	add(roleFlags, keys.TraceFlags...)
	if formats.Datadog {
		add(roleDatadogTraceID, keys.DatadogTraceID...)
		add(roleDatadogSpanID, keys.DatadogSpanID...)
	} else {
		// {"dd": {"trace_id": "<decimal>"}} must not be read as a hex trace_id.
		add(roleDisabled, keys.DatadogTraceID...)
		add(roleDisabled, keys.DatadogSpanID...)
	}
	if formats.W3C {
		add(roleTraceparent, "traceparent")
	}
	if formats.B3 {
		add(roleB3, "b3")
		add(roleB3TraceID, "x-b3-traceid")
		add(roleB3SpanID, "x-b3-spanid")
		add(roleB3Sampled, "x-b3-sampled")
		add(roleB3Flags, "x-b3-flags")
	}
	if formats.Jaeger {
		add(roleUberTraceID, "uber-trace-id")
	}
	if formats.XRay {
		add(roleXRayHeader, "x-amzn-trace-id", "_x_amzn_trace_id")
		add(roleXRayRoot, "root")
	}
	return idx
}

// lookup returns the role of key, ignoring ASCII case, without allocating.
func (idx *keyIndex) lookup(key string) role {
	if len(key) < idx.minLen || len(key) > idx.maxLen || !idx.lastByte[key[len(key)-1]] {
		return roleNone
	}
	var buf [MaxKeyLen]byte
	n := 0
	appendLower(&buf, &n, key)
	return idx.roles[string(buf[:n])]
}

// lookupPath returns the role of the longest dotted suffix of a nested key path, so that
// {"dd": {"trace_id": ...}} matches "dd.trace_id" before "trace_id".
func (idx *keyIndex) lookupPath(path []string) role {
	last := path[len(path)-1]
	if len(path) == 1 {
		return idx.lookup(last)
	}
	if last == "" || !idx.lastByte[last[len(last)-1]] {
		return roleNone
	}
	for start := range path {
		var buf [MaxKeyLen]byte
		n, fits := 0, true
		for i, seg := range path[start:] {
			if i > 0 {
				fits = appendLower(&buf, &n, ".")
			}
			if fits = fits && appendLower(&buf, &n, seg); !fits {
				break
			}
		}
		if !fits {
			continue
		}
		if r := idx.roles[string(buf[:n])]; r != roleNone {
			return r
		}
	}
	return roleNone
}

// appendLower appends s in lower case to buf at *n and reports whether it fitted.
func appendLower(buf *[MaxKeyLen]byte, n *int, s string) bool {
	if *n+len(s) > MaxKeyLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[*n+i] = c
	}
	*n += len(s)
	return true
}
