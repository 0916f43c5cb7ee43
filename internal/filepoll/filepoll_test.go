package filepoll

import (
	"errors"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPollerReloadsOnChange(t *testing.T) {
	path := filepath.Join(t.TempDir(), "file.yaml")
	require.NoError(t, os.WriteFile(path, []byte("one"), 0o600))

	var reloads atomic.Int32
	reports := make(chan error, 10)
	p := New(path, 5*time.Millisecond, func() error {
		reloads.Add(1)
		return errors.New("broken")
	}, func(err error) { reports <- err })
	p.Start()
	defer p.Stop()

	require.NoError(t, os.WriteFile(path, []byte("two, longer"), 0o600))
	assert.EqualError(t, <-reports, "broken", "the reload's result is reported")
	assert.Equal(t, int32(1), reloads.Load())

	require.NoError(t, os.Remove(path))
	assert.ErrorIs(t, <-reports, os.ErrNotExist, "a vanished file is reported once")
}
