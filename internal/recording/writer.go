package recording

import (
	"bufio"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/klauspost/compress/zstd"
)

// WriterOptions configure a Writer.
type WriterOptions struct {
	// RotateBytes starts a new file once the current one holds this many uncompressed bytes;
	// 0 never rotates.
	RotateBytes int64
	// MaxFiles is how many rotated files to keep besides the active one; 0 keeps them all.
	MaxFiles int
}

// Writer appends entries to a recording file. When the file rotates it is renamed to
// <stem>-<UTC time>.<ext>, which sorts before the active file, so a glob of the stem replays
// the files in recording order. Writer is not safe for concurrent use.
type Writer struct {
	path    string
	opts    WriterOptions
	file    *os.File
	comp    io.WriteCloser // nil when uncompressed
	buf     *bufio.Writer
	written int64
	now     func() time.Time
}

// NewWriter creates (or appends to) the recording at path, compressed as its name says (.gz, .zst).
func NewWriter(path string, opts WriterOptions) (*Writer, error) {
	w := &Writer{path: path, opts: opts, now: time.Now}
	if err := w.open(); err != nil {
		return nil, err
	}
	return w, nil
}

func (w *Writer) open() error {
	if err := os.MkdirAll(filepath.Dir(w.path), 0o750); err != nil {
		return err
	}
	f, err := os.OpenFile(w.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		return err
	}
	w.file, w.comp, w.written = f, nil, 0
	var dst io.Writer = f
	switch compressionOf(w.path) {
	case gzipCompressed:
		w.comp = gzip.NewWriter(f)
	case zstdCompressed:
		if w.comp, err = zstd.NewWriter(f); err != nil {
			f.Close()
			return err
		}
	}
	if w.comp != nil {
		dst = w.comp
	}
	w.buf = bufio.NewWriterSize(dst, 256<<10)
	return nil
}

// Write appends one entry as a line.
func (w *Writer) Write(e Entry) error {
	line, err := Encode(e)
	if err != nil {
		return err
	}
	return w.WriteLine(line)
}

// WriteLine appends one encoded entry (see Encode) and a newline.
func (w *Writer) WriteLine(line []byte) error {
	if w.opts.RotateBytes > 0 && w.written > 0 && w.written+int64(len(line))+1 > w.opts.RotateBytes {
		if err := w.rotate(); err != nil {
			return err
		}
	}
	if _, err := w.buf.Write(line); err != nil {
		return err
	}
	w.written += int64(len(line)) + 1
	return w.buf.WriteByte('\n')
}

// Flush pushes buffered lines to the file (a compressed stream is flushed to a block boundary).
func (w *Writer) Flush() error {
	if err := w.buf.Flush(); err != nil {
		return err
	}
	if f, ok := w.comp.(interface{ Flush() error }); ok {
		return f.Flush()
	}
	return nil
}

// Close flushes and closes the file.
func (w *Writer) Close() error {
	if err := w.buf.Flush(); err != nil {
		w.file.Close()
		return err
	}
	if w.comp != nil {
		if err := w.comp.Close(); err != nil {
			w.file.Close()
			return err
		}
	}
	return w.file.Close()
}

func (w *Writer) rotate() error {
	if err := w.Close(); err != nil {
		return err
	}
	if err := os.Rename(w.path, w.rotatedName()); err != nil {
		return err
	}
	if err := w.prune(); err != nil {
		return err
	}
	return w.open()
}

// rotatedName is <dir>/<stem>-<UTC time>.<ext> for <dir>/<stem>.<ext>.
func (w *Writer) rotatedName() string {
	dir, stem, ext := splitName(w.path)
	return filepath.Join(dir, stem+"-"+w.now().UTC().Format("20060102T150405.000000000Z")+ext)
}

// prune removes the oldest rotated files beyond MaxFiles.
func (w *Writer) prune() error {
	if w.opts.MaxFiles <= 0 {
		return nil
	}
	dir, stem, ext := splitName(w.path)
	old, err := filepath.Glob(filepath.Join(dir, stem+"-*"+ext))
	if err != nil {
		return err
	}
	for len(old) > w.opts.MaxFiles {
		if err := os.Remove(old[0]); err != nil {
			return err
		}
		old = old[1:]
	}
	return nil
}

// splitName splits <dir>/<stem>.<ext> at the first dot of the base name.
func splitName(path string) (dir, stem, ext string) {
	dir, stem = filepath.Split(path)
	if i := strings.IndexByte(stem, '.'); i > 0 {
		stem, ext = stem[:i], stem[i:]
	}
	return dir, stem, ext
}
