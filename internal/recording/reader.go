package recording

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/klauspost/compress/zstd"
)

// MaxLineBytes bounds one recorded request; a longer line is an error, not an allocation spiral.
const MaxLineBytes = 256 << 20

// LineError says which line of which file is bad.
type LineError struct {
	File string
	Line int
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err) }
func (e *LineError) Unwrap() error { return e.Err }

// Expand resolves paths and glob patterns to a sorted list of files; a pattern that matches
// nothing is an error.
func Expand(patterns ...string) ([]string, error) {
	var files []string
	for _, p := range patterns {
		matches, err := filepath.Glob(p)
		if err != nil {
			return nil, fmt.Errorf("path %q: %w", p, err)
		}
		if len(matches) == 0 {
			return nil, fmt.Errorf("path %q: no such file", p)
		}
		sort.Strings(matches)
		files = append(files, matches...)
	}
	return files, nil
}

type compression int

const (
	uncompressed compression = iota
	gzipCompressed
	zstdCompressed
)

// compressionOf tells a recording file's compression by its name: .gz or .zst.
func compressionOf(name string) compression {
	switch {
	case strings.HasSuffix(name, ".gz"):
		return gzipCompressed
	case strings.HasSuffix(name, ".zst"):
		return zstdCompressed
	}
	return uncompressed
}

// Reader reads the lines of one recording file, decompressing .gz and .zst files.
type Reader struct {
	name   string
	file   *os.File
	closer func()
	br     *bufio.Reader
	line   int
}

// Open opens a recording file.
func Open(name string) (*Reader, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	r := &Reader{name: name, file: f, closer: func() {}}
	var src io.Reader = f
	switch compressionOf(name) {
	case gzipCompressed:
		gz, err := gzip.NewReader(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		src, r.closer = gz, func() { gz.Close() }
	case zstdCompressed:
		zr, err := zstd.NewReader(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		src, r.closer = zr, zr.Close
	}
	r.br = bufio.NewReaderSize(src, 1<<20)
	return r, nil
}

// Next returns the next non-blank line and its number; io.EOF at the end. The returned slice
// is valid until the next call.
func (r *Reader) Next() ([]byte, int, error) {
	for {
		line, err := r.readLine()
		if len(line) == 0 && err != nil {
			if errors.Is(err, io.EOF) {
				return nil, 0, io.EOF
			}
			return nil, 0, &LineError{File: r.name, Line: r.line + 1, Err: err}
		}
		r.line++
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		return line, r.line, nil
	}
}

func (r *Reader) readLine() ([]byte, error) {
	var buf []byte
	for {
		chunk, err := r.br.ReadSlice('\n')
		if len(buf)+len(chunk) > MaxLineBytes {
			return nil, fmt.Errorf("line longer than %d bytes", MaxLineBytes)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			buf = append(buf, chunk...)
			continue
		}
		if buf != nil {
			chunk = append(buf, chunk...)
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return chunk, err
		}
		if len(chunk) == 0 {
			return nil, io.EOF
		}
		return chunk, nil
	}
}

// Close closes the file.
func (r *Reader) Close() error {
	r.closer()
	return r.file.Close()
}

// ReadFile decodes every line of a recording file and calls fn with each entry; a bad line stops
// with a *LineError unless skipBad is set, in which case it is counted and skipped.
func ReadFile(name string, skipBad bool, fn func(Entry) error) (skipped int, err error) {
	r, err := Open(name)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	for {
		line, n, err := r.Next()
		if errors.Is(err, io.EOF) {
			return skipped, nil
		}
		if err != nil {
			return skipped, err
		}
		e, err := Decode(line)
		if err != nil {
			if skipBad {
				skipped++
				continue
			}
			return skipped, &LineError{File: name, Line: n, Err: err}
		}
		if err := fn(e); err != nil {
			return skipped, err
		}
	}
}
