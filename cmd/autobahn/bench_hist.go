package main

import (
	"math"
	"math/bits"
	"time"
)

// latencyHist is a log-linear histogram of durations in the spirit of
// HdrHistogram: values below 2^histSubBits ns are counted exactly, larger
// ones in buckets that split every power of two into 2^histSubBits equal
// parts, so that any recorded value is known to within 1/128 (< 0.8 %).
// Its counts are allocated once (about 30 KiB), so recording a round trip
// costs a few instructions and no allocation: every rpc caller owns one,
// records into it from its transport's reader goroutine without locking, and
// the histograms are merged once the run is over.
type latencyHist struct {
	counts     []uint64
	n          uint64
	sum        float64 // ns
	min, max   int64   // ns
	overflowed uint64  // values clamped to histMax
}

const (
	histSubBits = 7
	histSub     = 1 << histSubBits
	// histMaxBit is the highest power of two kept apart: values from
	// 2^histMaxBit ns (about 137 s) on are clamped into the last bucket.
	histMaxBit = 37
	histMax    = int64(1)<<histMaxBit - 1
	histLen    = (histMaxBit - histSubBits + 1) * histSub
)

func newLatencyHist() *latencyHist {
	return &latencyHist{counts: make([]uint64, histLen), min: math.MaxInt64}
}

// histIndex returns the bucket of v (0 ≤ v ≤ histMax).
func histIndex(v int64) int {
	if v < histSub {
		return int(v)
	}
	msb := bits.Len64(uint64(v)) - 1
	shift := msb - histSubBits
	return (shift+1)<<histSubBits + int(v>>shift)&(histSub-1)
}

// histLow and histHigh are the smallest and largest value of bucket i.
func histLow(i int) int64 {
	if i < histSub {
		return int64(i)
	}
	shift := i>>histSubBits - 1
	return (int64(histSub) | int64(i&(histSub-1))) << shift
}

func histHigh(i int) int64 {
	if i < histSub {
		return int64(i)
	}
	shift := i>>histSubBits - 1
	return histLow(i) + int64(1)<<shift - 1
}

// record adds one duration.
func (h *latencyHist) record(d time.Duration) {
	v := int64(d)
	if v < 0 {
		v = 0
	}
	if v > histMax {
		v = histMax
		h.overflowed++
	}
	h.counts[histIndex(v)]++
	h.n++
	h.sum += float64(v)
	h.min = min(h.min, v)
	h.max = max(h.max, v)
}

// merge adds the counts of o to h.
func (h *latencyHist) merge(o *latencyHist) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
	h.sum += o.sum
	h.min = min(h.min, o.min)
	h.max = max(h.max, o.max)
	h.overflowed += o.overflowed
}

// quantile returns the value at or below which a fraction q of the recorded
// values lie: the highest value of the bucket that holds the ⌈q·n⌉-th value
// (as HdrHistogram reports it), but never more than the largest value seen.
func (h *latencyHist) quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(h.n)))
	rank = min(max(rank, 1), h.n)
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			return time.Duration(min(histHigh(i), h.max))
		}
	}
	return time.Duration(h.max)
}

// latencySummary is what the report shows of a histogram, in microseconds.
type latencySummary struct {
	Min  float64 `json:"min"`
	Mean float64 `json:"mean"`
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	P999 float64 `json:"p999"`
	Max  float64 `json:"max"`
}

func (h *latencyHist) summary() latencySummary {
	if h.n == 0 {
		return latencySummary{}
	}
	us := func(d time.Duration) float64 { return math.Round(float64(d)/1e1) / 1e2 } // µs, 2 decimals
	return latencySummary{
		Min:  us(time.Duration(h.min)),
		Mean: us(time.Duration(h.sum / float64(h.n))),
		P50:  us(h.quantile(0.50)),
		P90:  us(h.quantile(0.90)),
		P99:  us(h.quantile(0.99)),
		P999: us(h.quantile(0.999)),
		Max:  us(time.Duration(h.max)),
	}
}
