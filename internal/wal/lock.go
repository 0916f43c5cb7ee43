package wal

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// lockName is the file a log holds an exclusive lock on while it is open: a second process on
// the same directory (two gateways given one volume, a new pod started while the old one still
// runs) is refused instead of both appending to, replaying and removing the same segments.
// The operating system drops the lock when the process ends, however it ends.
const lockName = "LOCK"

// ErrLocked refuses a directory whose log is open elsewhere.
var ErrLocked = errors.New("write-ahead log in use")

// lockDir takes the directory's lock and writes this process's id into the lock file.
func lockDir(dir string) (*os.File, error) {
	path := filepath.Join(dir, lockName)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o640)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			holder := "another process"
			if pid, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(pid))) > 0 {
				holder = "process " + strings.TrimSpace(string(pid))
			}
			return nil, fmt.Errorf("%w: %s holds %s; give each gateway its own storage directory", ErrLocked, holder, dir)
		}
		return nil, err
	}
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return f, nil
}
