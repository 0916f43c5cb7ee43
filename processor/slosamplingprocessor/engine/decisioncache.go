package engine

import "go.opentelemetry.io/collector/pdata/pcommon"

// keptCache remembers the marks of recently kept traces in a bounded
// LRU, so that late spans get the same decision and weight.
type keptCache struct {
	index   map[pcommon.TraceID]int32
	entries []keptEntry
	head    int32 // most recent
	tail    int32 // least recent
	limit   int
}

type keptEntry struct {
	id         pcommon.TraceID
	mark       mark
	prev, next int32
}

const noEntry int32 = -1

func newKeptCache(limit int) *keptCache {
	return &keptCache{index: make(map[pcommon.TraceID]int32), head: noEntry, tail: noEntry, limit: limit}
}

func (c *keptCache) get(id pcommon.TraceID) (mark, bool) {
	i, ok := c.index[id]
	if !ok {
		return mark{}, false
	}
	c.unlink(i)
	c.pushFront(i)
	return c.entries[i].mark, true
}

func (c *keptCache) add(id pcommon.TraceID, m mark) {
	if i, ok := c.index[id]; ok {
		c.entries[i].mark = m
		c.unlink(i)
		c.pushFront(i)
		return
	}
	var i int32
	if len(c.entries) < c.limit {
		i = int32(len(c.entries))
		c.entries = append(c.entries, keptEntry{})
	} else {
		i = c.tail
		c.unlink(i)
		delete(c.index, c.entries[i].id)
	}
	c.entries[i] = keptEntry{id: id, mark: m, prev: noEntry, next: noEntry}
	c.index[id] = i
	c.pushFront(i)
}

func (c *keptCache) unlink(i int32) {
	e := &c.entries[i]
	if e.prev != noEntry {
		c.entries[e.prev].next = e.next
	} else {
		c.head = e.next
	}
	if e.next != noEntry {
		c.entries[e.next].prev = e.prev
	} else {
		c.tail = e.prev
	}
	e.prev, e.next = noEntry, noEntry
}

func (c *keptCache) pushFront(i int32) {
	c.entries[i].next = c.head
	if c.head != noEntry {
		c.entries[c.head].prev = i
	}
	c.head = i
	if c.tail == noEntry {
		c.tail = i
	}
}

// droppedFilter remembers dropped trace ids in two generations of Bloom
// filters (16 bits and 11 probes per id: about 0.05% false positives).
// When the current generation is full it becomes the previous one, so
// memory stays fixed at about 4 bytes per remembered id.
type droppedFilter struct {
	current, previous []uint64
	count, perGen     int
}

const (
	bloomBitsPerID = 16
	bloomProbes    = 11
)

func newDroppedFilter(perGeneration int) *droppedFilter {
	words := (perGeneration*bloomBitsPerID + 63) / 64
	return &droppedFilter{current: make([]uint64, words), previous: make([]uint64, words), perGen: perGeneration}
}

func (f *droppedFilter) add(id pcommon.TraceID) {
	if f.count >= f.perGen {
		f.previous, f.current = f.current, f.previous
		clear(f.current)
		f.count = 0
	}
	h1, h2 := idHashes(id)
	n := uint64(len(f.current) * 64)
	for i := uint64(0); i < bloomProbes; i++ {
		bit := (h1 + i*h2) % n
		f.current[bit/64] |= 1 << (bit % 64)
	}
	f.count++
}

func (f *droppedFilter) contains(id pcommon.TraceID) bool {
	h1, h2 := idHashes(id)
	return bloomHas(f.current, h1, h2) || bloomHas(f.previous, h1, h2)
}

func bloomHas(bits []uint64, h1, h2 uint64) bool {
	n := uint64(len(bits) * 64)
	for i := uint64(0); i < bloomProbes; i++ {
		bit := (h1 + i*h2) % n
		if bits[bit/64]&(1<<(bit%64)) == 0 {
			return false
		}
	}
	return true
}

// idHashes mixes both halves of the id, so non-random ids spread too.
func idHashes(id pcommon.TraceID) (uint64, uint64) {
	var hi, lo uint64
	for i := 0; i < 8; i++ {
		hi = hi<<8 | uint64(id[i])
		lo = lo<<8 | uint64(id[8+i])
	}
	return mix64(hi ^ mix64(lo)), mix64(lo+0x9e3779b97f4a7c15) | 1
}

func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}
