package wal

import "testing"

// FuzzReadFrames: any bytes, as a crash or a disk could leave them, read without panic, and
// whole records read back exactly as framed.
func FuzzReadFrames(f *testing.F) {
	f.Add(appendFrame(appendFrame(nil, []byte("first")), []byte("second")))
	f.Add([]byte{5, 0, 0, 0, 1, 2, 3, 4, 'x'})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		var records [][]byte
		n, err := readFrames(data, func(p []byte) error {
			records = append(records, append([]byte(nil), p...))
			return nil
		})
		if err != nil || n < 0 || n > len(data) {
			t.Fatalf("read %d of %d bytes, err %v", n, len(data), err)
		}
		var again []byte
		for _, r := range records {
			again = appendFrame(again, r)
		}
		if string(again) != string(data[:n]) {
			t.Fatalf("records read do not frame back to the %d bytes read", n)
		}
	})
}
