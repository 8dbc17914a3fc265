package core

// Passthru holds the payload passthru / end-to-end encryption fields of
// CALL, YIELD and PUBLISH options and INVOCATION, RESULT, EVENT and ERROR
// details, in both spellings: Autobahn's and Crossbar.io's enc_* and the WAMP
// spec's ppt_*. When EncAlgo or PPTScheme is set, the message carries an
// opaque payload (its Payload field) instead of Args and Kwargs: with
// enc_algo the bytes stand alone at the Args position (Autobahn's form),
// with only ppt_scheme they are the single item of the Args list (the
// spec's form). Both forms are accepted on input.
type Passthru struct {
	EncAlgo       string // enc_algo, e.g. "cryptobox"
	EncSerializer string // enc_serializer, e.g. "json"
	EncKey        string // enc_key
	PPTScheme     string // ppt_scheme, e.g. "wamp.eth", "mqtt"
	PPTSerializer string // ppt_serializer
	PPTCipher     string // ppt_cipher, e.g. "xsalsa20poly1305"
	PPTKeyID      string // ppt_keyid
}

// Scheme returns enc_algo, or ppt_scheme when enc_algo is not set; empty
// when the payload is plain.
func (p *Passthru) Scheme() string {
	if p.EncAlgo != "" {
		return p.EncAlgo
	}
	return p.PPTScheme
}

// Encoded returns payload with the fields that say how to decode it, or nil
// when no scheme is set.
func (p *Passthru) Encoded(payload []byte) *EncodedPayload {
	if p.EncAlgo != "" {
		return &EncodedPayload{Payload: payload, Algo: p.EncAlgo, Serializer: p.EncSerializer, Key: p.EncKey}
	}
	if p.PPTScheme != "" {
		return &EncodedPayload{Payload: payload, Algo: p.PPTScheme, Serializer: p.PPTSerializer, Cipher: p.PPTCipher, Key: p.PPTKeyID}
	}
	return nil
}

// SetEncoded sets the fields from e (clearing them when e is nil), in
// Autobahn's enc_* spelling, or with spec set in the ppt_* spelling. The
// caller puts e.Payload into the message's Payload field.
func (p *Passthru) SetEncoded(e *EncodedPayload, spec bool) {
	*p = Passthru{}
	switch {
	case e == nil:
	case spec:
		*p = Passthru{PPTScheme: e.Algo, PPTSerializer: e.Serializer, PPTCipher: e.Cipher, PPTKeyID: e.Key}
	default:
		*p = Passthru{EncAlgo: e.Algo, EncSerializer: e.Serializer, EncKey: e.Key}
	}
}

func (p *Passthru) set(k string, v any) (bool, string) {
	var dst *string
	switch k {
	case "enc_algo":
		dst = &p.EncAlgo
	case "enc_serializer":
		dst = &p.EncSerializer
	case "enc_key":
		dst = &p.EncKey
	case "ppt_scheme":
		dst = &p.PPTScheme
	case "ppt_serializer":
		dst = &p.PPTSerializer
	case "ppt_cipher":
		dst = &p.PPTCipher
	case "ppt_keyid":
		dst = &p.PPTKeyID
	default:
		return false, ""
	}
	var r string
	*dst, r = asString(v)
	return true, r
}

// size is the number of keys put writes.
func (p *Passthru) size() int {
	return set1(p.EncAlgo) + set1(p.EncSerializer) + set1(p.EncKey) +
		set1(p.PPTScheme) + set1(p.PPTSerializer) + set1(p.PPTCipher) + set1(p.PPTKeyID)
}

func (p *Passthru) put(m map[string]any) {
	putString(m, "enc_algo", p.EncAlgo)
	putString(m, "enc_serializer", p.EncSerializer)
	putString(m, "enc_key", p.EncKey)
	putString(m, "ppt_scheme", p.PPTScheme)
	putString(m, "ppt_serializer", p.PPTSerializer)
	putString(m, "ppt_cipher", p.PPTCipher)
	putString(m, "ppt_keyid", p.PPTKeyID)
}

// orphan returns the key of a field that is set although its scheme is not.
func (p *Passthru) orphan() string {
	if p.EncAlgo == "" {
		switch {
		case p.EncSerializer != "":
			return "enc_serializer"
		case p.EncKey != "":
			return "enc_key"
		}
	}
	if p.PPTScheme == "" {
		switch {
		case p.PPTSerializer != "":
			return "ppt_serializer"
		case p.PPTCipher != "":
			return "ppt_cipher"
		case p.PPTKeyID != "":
			return "ppt_keyid"
		}
	}
	return ""
}
