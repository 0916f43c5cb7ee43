package cputime

import (
	"testing"
	"time"
)

func TestProcessCountsWork(t *testing.T) {
	before, err := Process()
	if err != nil {
		t.Fatal(err)
	}
	x := 0
	for deadline := time.Now().Add(50 * time.Millisecond); time.Now().Before(deadline); {
		x++
	}
	after, err := Process()
	if err != nil {
		t.Fatal(err)
	}
	if used := after - before; used < 20*time.Millisecond {
		t.Fatalf("%v of CPU for 50 ms of spinning (%d rounds)", used, x)
	}
}
