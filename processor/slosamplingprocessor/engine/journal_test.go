package engine

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func journaling(e *Engine, room int64) { e.SetJournal(func() int64 { return room }) }

func TestJournalRecordRebuildsTheBatch(t *testing.T) {
	e, _ := newTestEngine(t, testConfig())
	journaling(e, 1<<30)
	// Strings interned by an earlier batch are carried by every record that uses them.
	ingest(t, e, epoch, buildTrace(t, traceID(1), epoch, checkout(time.Second), child("cart", "op")))
	td, _ := richTrace(t)
	out := ingest(t, e, epoch, td)
	got, err := DecodeJournal(out.Journal)
	require.NoError(t, err)
	assert.Equal(t, td, got)
}

func TestJournalRecordOfManyChunks(t *testing.T) {
	e, _ := newTestEngine(t, testConfig())
	journaling(e, 1<<30)
	td := buildTrace(t, traceID(1), epoch, checkout(time.Second), child("cart", "get"))
	appendTrace(t, td, traceID(2), epoch, spanSpec{service: "shop", name: "GET /", root: true, attrs: map[string]any{"http.route": "/"}})
	out := ingest(t, e, epoch, td)
	got, err := DecodeJournal(out.Journal)
	require.NoError(t, err)
	assert.Equal(t, td, got, "one resource per chunk, as built")
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
	_, err := DecodeJournal(record)
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
	f.Fuzz(func(t *testing.T, record []byte) {
		got, err := DecodeJournal(record)
		if err == nil && got.SpanCount() > len(record) {
			t.Fatalf("%d spans from %d bytes", got.SpanCount(), len(record))
		}
	})
}
