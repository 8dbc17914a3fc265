package testpeer

// TextPayload is n bytes of valid UTF-8: multi-byte text padded with '*'.
// It is the generator of the interop peers' gen_payload/genPayload.
func TextPayload(n int) []byte {
	const unit = "Hello-µ@ßöäüàá-UTF-8!! κόσμε 😀 " // ASCII, 2-, 3- and 4-byte code points
	b := make([]byte, 0, n)
	for len(b)+len(unit) <= n {
		b = append(b, unit...)
	}
	for len(b) < n {
		b = append(b, '*')
	}
	return b
}

// BinaryPayload is n bytes covering all byte values, like the interop peers'
// binary generator.
func BinaryPayload(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*31 + 7)
	}
	return b
}
