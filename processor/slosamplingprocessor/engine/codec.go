package engine

import (
	"encoding/binary"
	"math"
	"math/bits"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// Primitive encoding of buffered spans: varints, length-prefixed strings and
// tagged attribute values. A reader never panics on malformed input; it
// records the failure and returns zero values.

// Attribute value tags.
const (
	tagEmpty byte = iota
	tagStr
	tagStrDelta // prefix and suffix shared with the previous span's value
	tagFalse
	tagTrue
	tagInt
	tagDouble
	tagBytes
	tagSlice
	tagMap
)

// minSharedForDelta is the shared length below which a literal is cheaper.
const minSharedForDelta = 4

func appendUvarint(b []byte, v uint64) []byte { return binary.AppendUvarint(b, v) }
func appendVarint(b []byte, v int64) []byte   { return binary.AppendVarint(b, v) }

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// appendDeltaString writes s relative to prev: the lengths of the prefix
// and suffix they share, then the differing middle.
func appendDeltaString(b []byte, s, prev string) ([]byte, bool) {
	p := commonPrefix(s, prev)
	q := commonSuffix(s[p:], prev[p:])
	if p+q < minSharedForDelta {
		return b, false
	}
	b = append(b, tagStrDelta)
	b = binary.AppendUvarint(b, uint64(p))
	b = binary.AppendUvarint(b, uint64(q))
	return appendString(b, s[p:len(s)-q]), true
}

// commonPrefix is the length of the longest common prefix, compared eight
// bytes at a time.
func commonPrefix(a, b string) int {
	n := min(len(a), len(b))
	i := 0
	for ; i+8 <= n; i += 8 {
		if x := le64(a[i:]) ^ le64(b[i:]); x != 0 {
			return i + bits.TrailingZeros64(x)/8
		}
	}
	for i < n && a[i] == b[i] {
		i++
	}
	return i
}

// commonSuffix is the length of the longest common suffix.
func commonSuffix(a, b string) int {
	n := min(len(a), len(b))
	i := 0
	for ; i+8 <= n; i += 8 {
		if x := le64(a[len(a)-i-8:]) ^ le64(b[len(b)-i-8:]); x != 0 {
			return i + bits.LeadingZeros64(x)/8
		}
	}
	for i < n && a[len(a)-1-i] == b[len(b)-1-i] {
		i++
	}
	return i
}

func le64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// appendValue encodes any attribute value; nested maps and slices recurse.
func appendValue(b []byte, v pcommon.Value) []byte {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		return appendString(append(b, tagStr), v.Str())
	case pcommon.ValueTypeBool:
		if v.Bool() {
			return append(b, tagTrue)
		}
		return append(b, tagFalse)
	case pcommon.ValueTypeInt:
		return appendVarint(append(b, tagInt), v.Int())
	case pcommon.ValueTypeDouble:
		return binary.LittleEndian.AppendUint64(append(b, tagDouble), math.Float64bits(v.Double()))
	case pcommon.ValueTypeBytes:
		raw := v.Bytes().AsRaw()
		b = binary.AppendUvarint(append(b, tagBytes), uint64(len(raw)))
		return append(b, raw...)
	case pcommon.ValueTypeSlice:
		s := v.Slice()
		b = binary.AppendUvarint(append(b, tagSlice), uint64(s.Len()))
		for i := 0; i < s.Len(); i++ {
			b = appendValue(b, s.At(i))
		}
		return b
	case pcommon.ValueTypeMap:
		return appendPlainMap(append(b, tagMap), v.Map())
	default:
		return append(b, tagEmpty)
	}
}

// appendPlainMap encodes a map with literal keys (nested values, events,
// links, resources: rare or stored once).
func appendPlainMap(b []byte, m pcommon.Map) []byte {
	b = binary.AppendUvarint(b, uint64(m.Len()))
	for k, v := range m.All() {
		b = appendString(b, k)
		b = appendValue(b, v)
	}
	return b
}

// reader decodes what the append functions wrote.
type reader struct {
	b      []byte
	failed bool
}

func (r *reader) fail() { r.failed, r.b = true, nil }

func (r *reader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) byte() byte {
	if len(r.b) < 1 {
		r.fail()
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *reader) bytes(n uint64) []byte {
	if uint64(len(r.b)) < n {
		r.fail()
		return nil
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

func (r *reader) string() string { return string(r.bytes(r.uvarint())) }

// length reads a count and rejects counts larger than the bytes left, so
// malformed input cannot cause huge allocations.
func (r *reader) length() int {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.fail()
		return 0
	}
	return int(n)
}

// deltaString decodes a tagStrDelta body against prev.
func (r *reader) deltaString(prev string) string {
	p, q := r.uvarint(), r.uvarint()
	mid := r.bytes(r.uvarint())
	if p+q > uint64(len(prev)) {
		r.fail()
		return ""
	}
	return prev[:p] + string(mid) + prev[uint64(len(prev))-q:]
}

func (r *reader) spanID() (id pcommon.SpanID) {
	copy(id[:], r.bytes(uint64(len(id))))
	return id
}

func (r *reader) traceID() (id pcommon.TraceID) {
	copy(id[:], r.bytes(uint64(len(id))))
	return id
}

func (r *reader) value(dst pcommon.Value, depth int) { r.taggedValue(r.byte(), dst, depth) }

func (r *reader) taggedValue(tag byte, dst pcommon.Value, depth int) {
	if depth > maxValueDepth {
		r.fail()
		return
	}
	switch tag {
	case tagStr:
		dst.SetStr(r.string())
	case tagFalse:
		dst.SetBool(false)
	case tagTrue:
		dst.SetBool(true)
	case tagInt:
		dst.SetInt(r.varint())
	case tagDouble:
		if raw := r.bytes(8); !r.failed {
			dst.SetDouble(math.Float64frombits(binary.LittleEndian.Uint64(raw)))
		}
	case tagBytes:
		dst.SetEmptyBytes().FromRaw(r.bytes(r.uvarint()))
	case tagSlice:
		n := r.length()
		s := dst.SetEmptySlice()
		s.EnsureCapacity(n)
		for i := 0; i < n && !r.failed; i++ {
			r.value(s.AppendEmpty(), depth+1)
		}
	case tagMap:
		r.plainMap(dst.SetEmptyMap(), depth+1)
	case tagEmpty:
	default:
		r.fail()
	}
}

// maxValueDepth bounds nesting of decoded maps and slices.
const maxValueDepth = 64

func (r *reader) plainMap(dst pcommon.Map, depth int) {
	n := r.length()
	dst.EnsureCapacity(n)
	for i := 0; i < n && !r.failed; i++ {
		k := r.string()
		r.value(dst.PutEmpty(k), depth)
	}
}
