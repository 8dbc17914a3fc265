// Package vectors proves byte compatibility of the WAMP serializers with
// Autobahn|Python 22.7.1.
//
// The package has no API; it is its tests and their data. testdata/vectors.json
// holds WAMP messages of every kind, built with Autobahn's own message classes
// and serialized by Autobahn's JSON, MessagePack, CBOR and UBJSON serializers,
// plain and batched, together with each message's generic list form in a
// lossless JSON notation. The tests check, for every vector and serializer
// found through the registry, that
//
//   - Unserialize of Autobahn's bytes gives exactly one message whose List
//     equals the expected list, types included;
//   - Serialize of that message gives the canonical bytes: what Autobahn's
//     serializer writes for the same list with the keys of every map sorted
//     (Autobahn keeps insertion order, which a Go map does not have; where
//     Autobahn's insertion order is already sorted, the canonical bytes are
//     Autobahn's bytes);
//   - Autobahn|Python, running as a helper process, unserializes the bytes
//     Go produces to the expected value (TestPythonDecodesGo).
//
// README.md explains the format of the vectors, the choices behind it and
// how to regenerate them (go generate, with Autobahn|Python installed).
package vectors

//go:generate /usr/bin/python3 testdata/gen_vectors.py -o testdata/vectors.json
