package redact

import "github.com/tailwise/tailwise/processor/piiredactionprocessor/internal/detect"

// Outcome is what happened to a detected value.
type Outcome int

// The outcomes counted in Stats.
const (
	OutcomeMask Outcome = iota
	OutcomePartial
	OutcomePseudonym
	OutcomeDrop
	// OutcomeAllowed is a detected value kept because allowed_values matched it.
	OutcomeAllowed
	numOutcomes
)

var outcomeNames = [numOutcomes]string{"mask", "partial", "pseudonym", "drop", "allowed"}

func (o Outcome) String() string { return outcomeNames[o] }

// Stats counts detected values by detector and outcome, payment cards also
// by issuer. It holds counts only, never the values.
type Stats struct {
	names  []string
	counts []int64
	cards  [detect.NumIssuers][numOutcomes]int64
}

func newStats(names []string) *Stats {
	return &Stats{names: names, counts: make([]int64, len(names)*int(numOutcomes))}
}

func (s *Stats) add(detector int, o Outcome) { s.counts[detector*int(numOutcomes)+int(o)]++ }

// PaymentCardDetector is the name of the detector whose counts are also
// kept by card issuer.
var PaymentCardDetector = detect.BuiltinNames()[detect.PaymentCard]

// addCard counts a payment card of an issuer beside its detector's count.
func (s *Stats) addCard(issuer detect.Issuer, o Outcome) { s.cards[issuer][o]++ }

// Each calls fn for every non-zero count.
func (s *Stats) Each(fn func(detector string, o Outcome, n int64)) {
	for i, n := range s.counts {
		if n != 0 {
			fn(s.names[i/int(numOutcomes)], Outcome(i%int(numOutcomes)), n)
		}
	}
}

// EachCardIssuer calls fn for every non-zero count of payment cards by
// issuer ("visa", "mastercard", ...).
func (s *Stats) EachCardIssuer(fn func(issuer string, o Outcome, n int64)) {
	for i, byOutcome := range s.cards {
		for o, n := range byOutcome {
			if n != 0 {
				fn(detect.Issuer(i).String(), Outcome(o), n)
			}
		}
	}
}

// Count returns the count of one detector and outcome.
func (s *Stats) Count(detector string, o Outcome) int64 {
	for i, n := range s.names {
		if n == detector {
			return s.counts[i*int(numOutcomes)+int(o)]
		}
	}
	return 0
}
