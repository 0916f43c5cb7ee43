package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// statusLine redraws one line on a terminal every 200 ms until stop, and clears it then. On
// anything but a terminal it prints nothing.
type statusLine struct {
	done chan struct{}
	wg   sync.WaitGroup
}

// startStatusLine draws what line returns, given the time since the start.
func startStatusLine(w io.Writer, line func(elapsed time.Duration) string) *statusLine {
	s := &statusLine{done: make(chan struct{})}
	f, ok := terminal(w)
	if !ok {
		return s
	}
	started := time.Now()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-s.done:
				_, _ = fmt.Fprint(f, "\r\033[K")
				return
			case <-tick.C:
				_, _ = fmt.Fprintf(f, "\r\033[K%s", line(time.Since(started)))
			}
		}
	}()
	return s
}

func (s *statusLine) stop() {
	close(s.done)
	s.wg.Wait()
}

// terminal returns w as a file when it is a terminal.
func terminal(w io.Writer) (*os.File, bool) {
	f, ok := w.(*os.File)
	if !ok {
		return nil, false
	}
	fi, err := f.Stat()
	return f, err == nil && fi.Mode()&os.ModeCharDevice != 0
}
