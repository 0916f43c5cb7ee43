package tenancy

import (
	"os"
	"sync"
	"time"
)

// FilePoller reloads a file when its modification time or size changes, checked every
// interval. The collector's dependencies carry no file-notification library, and polling
// also follows files replaced through symlinks, as Kubernetes does for mounted secrets.
type FilePoller struct {
	path     string
	interval time.Duration
	reload   func() error
	report   func(error)

	stamp fileStamp
	stop  chan struct{}
	done  sync.WaitGroup
}

type fileStamp struct {
	modTime time.Time
	size    int64
}

// NewFilePoller returns a poller of path that calls reload after each change and report with
// reload's result. The caller loads the file once before Start.
func NewFilePoller(path string, interval time.Duration, reload func() error, report func(error)) *FilePoller {
	return &FilePoller{path: path, interval: interval, reload: reload, report: report, stop: make(chan struct{})}
}

// Start records the file's current state and polls it until Stop.
func (p *FilePoller) Start() {
	p.stamp, _ = stampOf(p.path)
	p.done.Add(1)
	go func() {
		defer p.done.Done()
		ticker := time.NewTicker(p.interval)
		defer ticker.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-ticker.C:
				p.check()
			}
		}
	}()
}

func (p *FilePoller) check() {
	stamp, err := stampOf(p.path)
	if err != nil {
		if p.stamp != (fileStamp{}) {
			p.stamp = fileStamp{}
			p.report(err)
		}
		return
	}
	if stamp == p.stamp {
		return
	}
	p.stamp = stamp
	p.report(p.reload())
}

// Stop ends polling and waits for a reload in progress.
func (p *FilePoller) Stop() {
	close(p.stop)
	p.done.Wait()
}

func stampOf(path string) (fileStamp, error) {
	info, err := os.Stat(path)
	if err != nil {
		return fileStamp{}, err
	}
	return fileStamp{modTime: info.ModTime(), size: info.Size()}, nil
}
