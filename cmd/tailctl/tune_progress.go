package main

import (
	"fmt"
	"io"
	"sync/atomic"
	"time"
)

// startTuneProgress shows the spans read and the read rate on a terminal.
func startTuneProgress(w io.Writer, spans *atomic.Int64) *statusLine {
	return startStatusLine(w, func(elapsed time.Duration) string {
		n, el := spans.Load(), elapsed.Seconds()
		return fmt.Sprintf("tune %6.1fs  %d spans  %.0f spans/s", el, n, float64(n)/max(el, 0.001))
	})
}
