// Package filepoll reloads a file when it changes.
package filepoll

import (
	"context"
	"os"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/tailwise/tailwise/internal/periodic"
)

var (
	reloadSucceeded = metric.WithAttributeSet(attribute.NewSet(attribute.String("outcome", "success")))
	reloadFailed    = metric.WithAttributeSet(attribute.NewSet(attribute.String("outcome", "failure")))
)

// Outcome is the outcome attribute of a reload in self-telemetry: success or failure.
func Outcome(ok bool) metric.MeasurementOption {
	if ok {
		return reloadSucceeded
	}
	return reloadFailed
}

// Poller reloads a file when its modification time or size changes, checked every
// interval. The collector's dependencies carry no file-notification library, and polling
// also follows files replaced through symlinks, as Kubernetes does for mounted secrets.
type Poller struct {
	path     string
	interval time.Duration
	reload   func() error
	report   func(error)

	stamp  fileStamp
	checks *periodic.Loop
}

type fileStamp struct {
	modTime time.Time
	size    int64
}

// New returns a poller of path that calls reload after each change and report with
// reload's result. The caller loads the file once before Start.
func New(path string, interval time.Duration, reload func() error, report func(error)) *Poller {
	return &Poller{path: path, interval: interval, reload: reload, report: report}
}

// Start records the file's current state and polls it until Stop.
func (p *Poller) Start() {
	p.stamp, _ = stampOf(p.path)
	p.checks = periodic.Start(p.interval, func(context.Context) { p.check() })
}

func (p *Poller) check() {
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

// Stop ends polling and waits for a reload in progress. It may be called more than once.
func (p *Poller) Stop() {
	p.checks.Stop()
}

func stampOf(path string) (fileStamp, error) {
	info, err := os.Stat(path)
	if err != nil {
		return fileStamp{}, err
	}
	return fileStamp{modTime: info.ModTime(), size: info.Size()}, nil
}
