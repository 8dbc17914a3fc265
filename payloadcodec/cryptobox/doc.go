// Package cryptobox is WAMP-cryptobox, Autobahn's end-to-end encryption of
// application payloads, as a [core.PayloadCodec]: the router forwards the
// ciphertext and never sees the URI-checked arguments inside. It reads and
// writes what Autobahn|Python's autobahn.wamp.cryptobox.KeyRing does, so a Go
// session and an Autobahn|Python session with the same keys understand each
// other through any router.
//
// Importing the package registers the algorithm "cryptobox" with
// [registry.Default] (see [NewFromConfig] for the configuration keys). In a
// program, one call enables it on a session:
//
//	ring, err := cryptobox.LoadKeyRing("keyring.json")
//	…
//	s, err := wamp.Dial(ctx, url, core.TransportConfig{}, wamp.Config{PayloadCodec: ring})
//
// # Keys and roles
//
// A [Key] holds Curve25519 key pairs for the two sides of an exchange. The
// originator (a caller or a publisher) encrypts CALL and PUBLISH and
// decrypts RESULT and ERROR with its own private key and the responder's
// public key; the responder (a callee or a subscriber) decrypts INVOCATION
// and EVENT and encrypts YIELD and its ERROR with its own private key and the
// originator's public key. So a caller needs originator_priv and
// responder_pub, its callee responder_priv and originator_pub; a session that
// plays both roles on a URI needs both. Autobahn's shorthand of one private
// key for both sides (KeyRing("base64"), set_key(uri, "base64")) is "key".
//
// A [KeyRing] maps URI prefixes to keys: the key of the longest prefix of the
// URI (a character prefix: "com.example" also matches "com.examples.x") is
// used, else the default key (URI ""); a URI with no key at all travels in
// the clear. Where Autobahn|Python sends in the clear when the matching key
// lacks the box of its side, Encode here fails instead: a key for a URI says
// that its payloads are meant to be secret.
//
// # Key-ring files
//
// [ParseKeyRing] and [LoadKeyRing] read a JSON list of entries:
//
//	[
//	  {"uri": "",             "key": "base64 or hex private key (both sides)"},
//	  {"uri": "com.example.", "originator_priv": "…", "responder_pub": "…"},
//	  {"uri": "com.example.callee.", "responder_priv": "…", "originator_pub": "…"}
//	]
//
// Each key is 32 bytes, written in standard base64 (44 characters, as
// Autobahn prints them) or in hex (64 characters). A public key given beside
// its private key must match it. Each entry must give at least one side a
// usable box; unknown fields and repeated URIs are errors naming them.
//
// # Wire format
//
// The plaintext is the JSON (WAMP's, with the \0+base64 convention for bytes)
// of {"uri": URI, "args": list or null, "kwargs": dict or null}; it is sealed
// with NaCl's box (Curve25519, XSalsa20-Poly1305) under a random 24-byte
// nonce, and the payload is nonce ‖ Poly1305 tag ‖ ciphertext. The message
// says enc_algo "cryptobox", enc_serializer "json" (or ppt_scheme,
// ppt_serializer and ppt_cipher "xsalsa20poly1305" with
// wamp.Config.PayloadSpelling); both spellings are read.
//
// Decode returns the URI found inside; the session compares it with the
// envelope's and answers wamp.error.encryption.trusted_uri_mismatch when they
// differ, and turns a Decode error ("cryptobox: …") into
// wamp.error.encryption.decrypt_error.
package cryptobox
