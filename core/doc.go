// Package core holds the contracts that every part of Autobahn for Go is built
// on, and the WAMP v2 message model.
//
// Plugins implement the contracts: a serializer implements [ObjectSerializer]
// (plain values) and is turned into a message [Serializer] by [NewSerializer];
// a transport implements [Transport] and drives a [TransportHandler]; a payload
// codec implements [PayloadCodec]. The registry package keeps track of which
// plugin provides what; the wamp and router packages use the contracts only.
//
// # Values
//
// Every serializer decodes to, and encodes from, one Go representation of
// dynamically typed values, so that a message decoded by one serializer
// re-encodes losslessly with any other:
//
//	nil                  null / nil
//	bool                 booleans
//	int64                integers that fit in int64
//	uint64               integers above math.MaxInt64 (never used for smaller values)
//	float64              floating point numbers
//	string               text (valid or not, UTF-8 is passed through as is)
//	[]byte               binary strings
//	[]any                lists
//	map[string]any       maps (WAMP maps have string keys only)
//
// Encoders also accept the other Go integer and float kinds, []string and
// map[string]string for convenience; decoders never produce them.
//
// # Messages
//
// Each of the 24 WAMP v2 message kinds has its own Go type (Hello … Yield)
// implementing [Message]. Options and details are typed structs; keys that are
// not known to this package (custom x_* keys, future features) are kept in an
// Extra map so that they survive a round trip through a router. Conversion to
// and from the generic list form ([Message.List], [ParseMessage]) validates
// exactly, and every rejection names the message, the field and the reason.
package core
