package engine

import (
	"strings"

	"github.com/tailwise/tailwise/internal/cardinality"
)

// Reserved interned ids.
const (
	internEmpty    uint32 = 0 // ""
	internOverflow uint32 = 1 // cardinality.Overflow: any string past the interner's capacity
)

// interner maps strings to small ids, up to a fixed capacity, so that span
// names, attribute keys and strata are stored as varints.
type interner struct {
	ids     map[string]uint32
	strings []string
	limit   int
}

func newInterner(limit int) *interner {
	return &interner{ids: map[string]uint32{"": internEmpty}, strings: []string{"", cardinality.Overflow}, limit: limit}
}

// id returns the id of s, adding it when there is room; ok is false when
// the interner is full and s is new.
func (in *interner) id(s string) (uint32, bool) {
	if id, ok := in.ids[s]; ok {
		return id, true
	}
	if len(in.strings) >= in.limit {
		return internOverflow, false
	}
	id := uint32(len(in.strings))
	s = strings.Clone(s)
	in.ids[s] = id
	in.strings = append(in.strings, s)
	return id, true
}

func (in *interner) str(id uint32) (string, bool) {
	if int(id) < len(in.strings) {
		return in.strings[id], true
	}
	return "", false
}
