// Package optmap converts the option maps of component configurations
// (Autobahn's setProtocolOptions names, as found in JSON or YAML configs)
// into typed values, the same way for every transport: one key
// normalisation and one set of value converters, so that an option has one
// name and one meaning everywhere.
package optmap

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/autobahn-go/autobahn/core"
)

// Key returns the canonical (camelCase) form of an option name: Autobahn's
// setProtocolOptions names are camelCase ("autoPingInterval"), its
// Component configuration also accepts snake_case ("auto_ping_interval").
func Key(name string) string {
	if !strings.Contains(name, "_") {
		return name
	}
	parts := strings.Split(name, "_")
	var b strings.Builder
	b.WriteString(parts[0])
	for _, p := range parts[1:] {
		if p == "" {
			continue
		}
		b.WriteString(strings.ToUpper(p[:1]))
		b.WriteString(p[1:])
	}
	return b.String()
}

// Bool reads a boolean.
func Bool(v any) (bool, error) {
	b, ok := v.(bool)
	if !ok {
		return false, fmt.Errorf("want a bool, got %T", v)
	}
	return b, nil
}

// Int64 reads an integer of any Go integer type, or an integral float64 as
// JSON decoders produce.
func Int64(v any) (int64, error) {
	switch n := v.(type) {
	case int:
		return int64(n), nil
	case int8:
		return int64(n), nil
	case int16:
		return int64(n), nil
	case int32:
		return int64(n), nil
	case int64:
		return n, nil
	case uint:
		if uint64(n) <= math.MaxInt64 {
			return int64(n), nil
		}
	case uint8:
		return int64(n), nil
	case uint16:
		return int64(n), nil
	case uint32:
		return int64(n), nil
	case uint64:
		if n <= math.MaxInt64 {
			return int64(n), nil
		}
	case float64:
		if n == math.Trunc(n) && math.Abs(n) < 1<<53 {
			return int64(n), nil
		}
		return 0, fmt.Errorf("want an integer, got %v", n)
	case float32:
		return Int64(float64(n))
	default:
		return 0, fmt.Errorf("want an integer, got %T", v)
	}
	return 0, fmt.Errorf("integer %v out of range", v)
}

// Int reads a non-negative integer that fits in 32 bits.
func Int(v any) (int, error) {
	n, err := Int64(v)
	if err != nil {
		return 0, err
	}
	if n < math.MinInt32 || n > math.MaxInt32 {
		return 0, fmt.Errorf("integer %d out of range", n)
	}
	if n < 0 {
		return 0, fmt.Errorf("%d is negative", n)
	}
	return int(n), nil
}

// Seconds reads a duration: a number of seconds (Autobahn's unit), a Go
// duration string such as "2.5s", or a time.Duration.
func Seconds(v any) (time.Duration, error) {
	var f float64
	switch n := v.(type) {
	case time.Duration:
		if n < 0 {
			return 0, fmt.Errorf("duration %v is negative", n)
		}
		return n, nil
	case string:
		d, err := time.ParseDuration(n)
		if err != nil {
			return 0, err
		}
		if d < 0 {
			return 0, fmt.Errorf("duration %v is negative", d)
		}
		return d, nil
	case float64:
		f = n
	case float32:
		f = float64(n)
	default:
		i, err := Int64(v)
		if err != nil {
			return 0, fmt.Errorf("want a number of seconds, got %T", v)
		}
		f = float64(i)
	}
	if math.IsNaN(f) || f < 0 || f > 1e9 {
		return 0, fmt.Errorf("want a number of seconds in 0..1e9, got %v", f)
	}
	return time.Duration(f * float64(time.Second)), nil
}

// Timeout is Seconds for options whose Autobahn value 0 means "no timeout",
// which Go option structs write as a negative duration (their zero value
// means the default).
func Timeout(v any) (time.Duration, error) {
	d, err := Seconds(v)
	if err == nil && d == 0 {
		d = -1
	}
	return d, err
}

// List reads a list.
func List(v any) ([]any, error) {
	switch l := v.(type) {
	case []any:
		return l, nil
	case []string:
		return toAny(l), nil
	case []int:
		return toAny(l), nil
	case []int64:
		return toAny(l), nil
	}
	return nil, fmt.Errorf("want a list, got %T", v)
}

func toAny[T any](l []T) []any {
	res := make([]any, len(l))
	for i, e := range l {
		res[i] = e
	}
	return res
}

// Strings reads a list of strings.
func Strings(v any) ([]string, error) {
	l, err := List(v)
	if err != nil {
		return nil, err
	}
	res := make([]string, len(l))
	for i, e := range l {
		s, ok := e.(string)
		if !ok {
			return nil, fmt.Errorf("element %d: want a string, got %T", i, e)
		}
		res[i] = s
	}
	return res, nil
}

// Ints reads a list of non-negative integers.
func Ints(v any) ([]int, error) {
	l, err := List(v)
	if err != nil {
		return nil, err
	}
	res := make([]int, len(l))
	for i, e := range l {
		if res[i], err = Int(e); err != nil {
			return nil, fmt.Errorf("element %d: %w", i, err)
		}
	}
	return res, nil
}

// QueueKeys are the option names of [core.QueueOptions], the same for every
// transport.
var QueueKeys = []string{"maxBatchSize", "sendQueueMessages", "sendQueueSize", "slowPeerPolicy", "stallTimeout"}

// Queue sets the send-queue option key (canonical form) on q. It reports
// false when key is not a queue option.
func Queue(q *core.QueueOptions, key string, v any) (bool, error) {
	var err error
	switch key {
	case "sendQueueSize":
		q.MaxBytes, err = Int(v)
	case "sendQueueMessages":
		q.MaxMessages, err = Int(v)
	case "maxBatchSize":
		q.MaxBatchSize, err = Int(v)
	case "stallTimeout":
		q.StallTimeout, err = Timeout(v)
	case "slowPeerPolicy":
		s, ok := v.(string)
		if !ok {
			return true, fmt.Errorf("want block, fail or drop, got %T", v)
		}
		q.Policy, err = core.ParseSlowPeerPolicy(s)
	default:
		return false, nil
	}
	return true, err
}

// DebugKeys are the names of Autobahn's debugging options, accepted by
// every transport.
var DebugKeys = []string{"logFrames", "logOctets", "trackTimings"}

// Decode reads core.TransportConfig.Options for a transport whose options
// type is T: nil (or a nil *T) is the zero T, a T or *T is used as it is,
// and a map[string]any goes through fromMap (nil fromMap: maps are not
// accepted). ok is false when v is none of these.
func Decode[T any](v any, fromMap func(map[string]any) (T, error)) (o T, ok bool, err error) {
	switch x := v.(type) {
	case nil:
		return o, true, nil
	case T:
		return x, true, nil
	case *T:
		if x != nil {
			o = *x
		}
		return o, true, nil
	case map[string]any:
		if fromMap != nil {
			o, err = fromMap(x)
			return o, true, err
		}
	}
	return o, false, nil
}
