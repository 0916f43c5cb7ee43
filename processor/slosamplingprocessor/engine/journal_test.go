package engine

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

func journaling(e *Engine, room int64) { e.SetJournal(func() int64 { return room }) }

func TestJournalRecordRebuildsTheBatch(t *testing.T) {
	e, _ := newTestEngine(t, testConfig())
	journaling(e, 1<<30)
	// Strings interned by an earlier batch are carried by every record that uses them.
	ingest(t, e, epoch, buildTrace(t, traceID(1), epoch, checkout(time.Second), child("cart", "op")))
	td, _ := richTrace(t)
	out := ingest(t, e, epoch, td)
	got, err := NewJournalDecoder().Decode(out.Journal)
	require.NoError(t, err)
	assert.Equal(t, td, got)
}

func TestJournalRecordOfManyChunks(t *testing.T) {
	e, _ := newTestEngine(t, testConfig())
	journaling(e, 1<<30)
	td := buildTrace(t, traceID(1), epoch, checkout(time.Second), child("cart", "get"))
	appendTrace(t, td, traceID(2), epoch, spanSpec{service: "shop", name: "GET /", root: true, attrs: map[string]any{"http.route": "/"}})
	out := ingest(t, e, epoch, td)
	got, err := NewJournalDecoder().Decode(out.Journal)
	require.NoError(t, err)
	assert.Equal(t, td, got, "one resource per chunk, as built")
}

// One decoder reads records of different processes one after another, as a replay of segments
// written before and after a restart does: each record's ids mean what that record says.
func TestJournalDecoderReadsRecordsOfDifferentEnginesInTurn(t *testing.T) {
	longRunning, _ := newTestEngine(t, testConfig())
	journaling(longRunning, 1<<30)
	for i := range 1000 {
		longRunning.names.id(fmt.Sprintf("GET /item/%d", i))
	}
	fresh, _ := newTestEngine(t, testConfig())
	journaling(fresh, 1<<30)
	first := buildTrace(t, traceID(1), epoch, checkout(time.Second), child("cart", "GetCart"))
	second := buildTrace(t, traceID(2), epoch, spanSpec{service: "shop", name: "GET /", root: true, attrs: map[string]any{"http.route": "/"}})
	firstRecord := append([]byte(nil), ingest(t, longRunning, epoch, first).Journal...)
	secondRecord := append([]byte(nil), ingest(t, fresh, epoch, second).Journal...)

	d := NewJournalDecoder()
	for _, c := range []struct {
		record []byte
		want   ptrace.Traces
	}{{firstRecord, first}, {secondRecord, second}, {firstRecord, first}} {
		got, err := d.Decode(c.record)
		require.NoError(t, err)
		assert.Equal(t, c.want, got)
	}
}

func TestJournalFullRefusesBeforeBuffering(t *testing.T) {
	e, rec := newTestEngine(t, testConfig())
	journaling(e, 10)
	_, err := e.Ingest(epoch, buildTrace(t, traceID(1), epoch, checkout(time.Second)))
	require.ErrorIs(t, err, ErrJournalFull)
	assert.Zero(t, e.BufferedTraces())
	assert.Equal(t, 1, rec.refused[RefuseJournalFull])
}

func TestJournalRecordOfAnotherVersionIsRefused(t *testing.T) {
	e, _ := newTestEngine(t, testConfig())
	journaling(e, 1<<30)
	out := ingest(t, e, epoch, buildTrace(t, traceID(1), epoch, checkout(time.Second)))
	record := append([]byte(nil), out.Journal...)
	record[0]++
	_, err := NewJournalDecoder().Decode(record)
	require.ErrorContains(t, err, "version")
}

// FuzzDecodeJournal: any bytes decode to spans or to an error, never a panic.
func FuzzDecodeJournal(f *testing.F) {
	e, _ := newTestEngine(f, testConfig())
	journaling(e, 1<<30)
	td, _ := richTrace(f)
	out, err := e.Ingest(epoch, td)
	require.NoError(f, err)
	f.Add(append([]byte(nil), out.Journal...))
	f.Add([]byte{journalVersion, 1, 0xff, 0xff, 0x03, 1, 'x'})
	d := NewJournalDecoder() // one for all inputs, as a replay reads records one after another
	f.Fuzz(func(t *testing.T, record []byte) {
		got, err := d.Decode(record)
		if err == nil && got.SpanCount() > len(record) {
			t.Fatalf("%d spans from %d bytes", got.SpanCount(), len(record))
		}
	})
}

// BenchmarkDecodeJournal decodes records of a batch of 10 traces, from an engine that has
// interned few names and from one that has interned 50,000 (a gateway that has seen many
// span names): the ids a record carries are then large.
func BenchmarkDecodeJournal(b *testing.B) {
	for _, interned := range []int{0, 50000} {
		b.Run(fmt.Sprintf("interned=%d", interned), func(b *testing.B) {
			e, _ := newTestEngine(b, testConfig())
			journaling(e, 1<<40)
			for i := range interned {
				e.names.id(fmt.Sprintf("GET /item/%d", i))
			}
			td := ptrace.NewTraces()
			for i := range 10 {
				appendTrace(b, td, traceID(uint64(i+1)), epoch, checkout(time.Second), child("cart", "GetCart"), child("payment", "Charge"))
			}
			out, err := e.Ingest(epoch, td)
			require.NoError(b, err)
			record := append([]byte(nil), out.Journal...)
			d := NewJournalDecoder()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := d.Decode(record); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
