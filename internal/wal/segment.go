package wal

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// A segment file is a run of records, each framed as
//
//	payload length (uint32, little endian) | CRC-32C of the payload | payload
//
// A record cut short by a crash, or whose checksum fails, ends what is read of its file.

const (
	headerBytes   = 8
	segmentSuffix = ".wal"
	// maxRecordBytes bounds a record so that a corrupt length cannot ask for gigabytes.
	maxRecordBytes = 1 << 30
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func segmentName(id uint64) string { return fmt.Sprintf("%016x%s", id, segmentSuffix) }

// listSegments returns the ids of the segment files in dir, oldest first.
func listSegments(dir string) ([]uint64, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var ids []uint64
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), segmentSuffix)
		if !ok || e.IsDir() {
			continue
		}
		if id, err := strconv.ParseUint(name, 16, 64); err == nil {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids, nil
}

// appendFrame appends payload framed as a record.
func appendFrame(b, payload []byte) []byte {
	return append(appendHeader(b, payload), payload...)
}

// appendHeader appends the frame header of a record whose payload is the parts in order.
func appendHeader(b []byte, parts ...[]byte) []byte {
	n, sum := 0, uint32(0)
	for _, p := range parts {
		n += len(p)
		sum = crc32.Update(sum, castagnoli, p)
	}
	b = binary.LittleEndian.AppendUint32(b, uint32(n))
	return binary.LittleEndian.AppendUint32(b, sum)
}

// readFrames calls fn with each whole record of data in order. It returns the number of
// bytes read as whole records; fewer than len(data) means the rest is torn or corrupt.
func readFrames(data []byte, fn func(payload []byte) error) (int, error) {
	off := 0
	for len(data)-off >= headerBytes {
		n := int(binary.LittleEndian.Uint32(data[off:]))
		sum := binary.LittleEndian.Uint32(data[off+4:])
		end := off + headerBytes + n
		if n > maxRecordBytes || end > len(data) {
			break
		}
		payload := data[off+headerBytes : end]
		if crc32.Checksum(payload, castagnoli) != sum {
			break
		}
		if err := fn(payload); err != nil {
			return off, err
		}
		off = end
	}
	return off, nil
}

// syncDir makes the creation and removal of files in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(filepath.Clean(dir))
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
