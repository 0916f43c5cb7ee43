package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// tuneProgress prints spans read and the read rate on a terminal.
type tuneProgress struct {
	done chan struct{}
	wg   sync.WaitGroup
}

func startTuneProgress(w io.Writer, spans *atomic.Int64) *tuneProgress {
	p := &tuneProgress{done: make(chan struct{})}
	f, ok := w.(*os.File)
	if !ok {
		return p
	}
	if fi, err := f.Stat(); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return p
	}
	started := time.Now()
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-p.done:
				_, _ = fmt.Fprint(f, "\r\033[K")
				return
			case <-tick.C:
				n, el := spans.Load(), time.Since(started).Seconds()
				_, _ = fmt.Fprintf(f, "\r\033[Ktune %6.1fs  %d spans  %.0f spans/s", el, n, float64(n)/max(el, 0.001))
			}
		}
	}()
	return p
}

func (p *tuneProgress) stop() {
	close(p.done)
	p.wg.Wait()
}
