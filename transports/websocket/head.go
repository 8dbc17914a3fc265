package websocket

import (
	"crypto/tls"
	"encoding/binary"
	"net/http"
	"strings"
)

// An open connection keeps its opening handshake for Conn.Request,
// Conn.Response and Conn.Headers (and a WAMP transport's
// Details().HTTPHeaders), which are rarely asked for: most connections are
// never asked. A parsed http.Header takes about 1 KiB for the half dozen
// headers of a handshake (a map, a slice and two strings per header), and a
// ConnectionRequest with its query map and extensions another 300 bytes.
// So the connection keeps the headers (and on a server the few request
// fields that are not already fields of Conn) packed into one string of
// about 200 bytes, and makes the ConnectionRequest or ConnectionResponse
// from it when it is first asked for, then keeps that.
//
// The packing is exact (length-prefixed, so any key or value survives
// unchanged, also one that middleware put into the request): the header and
// the request made again equal the ones OnConnect got.

// Indexes of the request fields packed before the headers.
const (
	packHost = iota
	packPath
	packQuery
	packRemoteAddr
	packFields
)

// packHandshake packs fields and then the headers h into one string.
func packHandshake(h http.Header, fields ...string) string {
	n := binary.MaxVarintLen64 * (1 + len(fields))
	for _, f := range fields {
		n += len(f)
	}
	for k, vs := range h {
		n += 2*binary.MaxVarintLen64 + len(k)
		for _, v := range vs {
			n += binary.MaxVarintLen64 + len(v)
		}
	}
	b := make([]byte, 0, n)
	str := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	for _, f := range fields {
		str(f)
	}
	for k, vs := range h {
		str(k)
		b = binary.AppendUvarint(b, uint64(len(vs)))
		for _, v := range vs {
			str(v)
		}
	}
	return string(b) // copied to its exact length
}

// unpackHandshake reverses packHandshake with nFields fields. The strings it
// returns are cut from p.
func unpackHandshake(p string, nFields int) (fields []string, h http.Header) {
	str := func() string {
		n, k := uvarint(p)
		s := p[k : k+n]
		p = p[k+n:]
		return s
	}
	fields = make([]string, nFields)
	for i := range fields {
		fields[i] = str()
	}
	h = http.Header{}
	for p != "" {
		k := str()
		n, l := uvarint(p)
		p = p[l:]
		vs := make([]string, n)
		for i := range vs {
			vs[i] = str()
		}
		h[k] = vs
	}
	return fields, h
}

// uvarint decodes the unsigned varint that s starts with (as
// binary.Uvarint, for the lengths packHandshake wrote) and its length.
func uvarint(s string) (n, size int) {
	var x uint64
	var shift uint
	for i := 0; i < len(s); i++ {
		b := s[i]
		if b < 0x80 {
			return int(x | uint64(b)<<shift), i + 1
		}
		x |= uint64(b&0x7f) << shift
		shift += 7
	}
	panic("websocket: corrupt packed handshake")
}

// newConnectionRequest describes a validated opening handshake request.
func newConnectionRequest(h http.Header, peer, host, path, rawQuery, remoteAddr string, version int, tlsState *tls.ConnectionState) *ConnectionRequest {
	host, _, _ = splitHost(host)
	originKey := "Origin"
	if version < 13 {
		originKey = "Sec-Websocket-Origin"
	}
	var origin string
	if oh := h[originKey]; len(oh) > 0 {
		origin = strings.TrimSpace(oh[0])
	}
	protocols, _ := splitProtocols(h["Sec-Websocket-Protocol"])
	var extensions []Extension
	if eh := h["Sec-Websocket-Extensions"]; len(eh) > 0 {
		extensions = parseExtensions(eh[0])
	}
	return &ConnectionRequest{
		Peer:       peer,
		Headers:    h,
		Host:       strings.TrimSpace(host),
		Path:       path,
		Params:     parseParams(rawQuery),
		Version:    version,
		Origin:     origin,
		Protocols:  protocols,
		Extensions: extensions,
		TLS:        tlsState,
		RemoteAddr: remoteAddr,
	}
}

// packRequest packs what Conn.Request needs of r besides the fields of
// Conn (see newConnectionRequest).
func packRequest(r *http.Request) string {
	fields := [packFields]string{packHost: r.Host, packPath: r.URL.Path, packQuery: r.URL.RawQuery, packRemoteAddr: r.RemoteAddr}
	return packHandshake(r.Header, fields[:]...)
}

// newConnectionResponse describes a server's accepted handshake response.
func newConnectionResponse(h http.Header, peer string, version int, proto string, tlsState *tls.ConnectionState) *ConnectionResponse {
	var extensions []Extension
	if vs := h["Sec-Websocket-Extensions"]; len(vs) > 0 {
		extensions = parseExtensions(vs[0])
	}
	return &ConnectionResponse{
		Peer:       peer,
		Headers:    h,
		Version:    version,
		Protocol:   proto,
		Extensions: extensions,
		TLS:        tlsState,
	}
}

// Request is the opening handshake request on the server side, nil on the
// client side. It is made again from the packed handshake when first asked
// for (see above): equal to the one given to OnConnect, not the same.
func (c *Conn) Request() *ConnectionRequest { return c.handshakeRequest(true) }

// Response is the opening handshake response on the client side, nil on the
// server side. It is made again from the packed handshake when first asked
// for (see above): equal to the one given to OnConnect, not the same.
func (c *Conn) Response() *ConnectionResponse { return c.handshakeResponse(true) }

// Headers are the HTTP headers of the opening handshake: the request's on a
// server, the response's on a client.
func (c *Conn) Headers() http.Header { return c.handshakeHeaders(true) }

// handshakeRequest is Request; with keep false it does not keep what it
// unpacks, for the WAMP transport's Details, which the router asks for at
// every HELLO: an idle session then still holds only the packed string.
func (c *Conn) handshakeRequest(keep bool) *ConnectionRequest {
	if !c.cfg.isServer {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.request != nil {
		return c.request
	}
	f, h := unpackHandshake(c.head, packFields)
	r := newConnectionRequest(h, c.peer, f[packHost], f[packPath], f[packQuery], f[packRemoteAddr], c.version, c.tls)
	if keep {
		c.request, c.head = r, ""
	}
	return r
}

// handshakeResponse is Response, keeping what it unpacks only with keep.
func (c *Conn) handshakeResponse(keep bool) *ConnectionResponse {
	if c.cfg.isServer {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.response != nil {
		return c.response
	}
	_, h := unpackHandshake(c.head, 0)
	r := newConnectionResponse(h, c.peer, c.version, c.proto, c.tls)
	if keep {
		c.response, c.head = r, ""
	}
	return r
}

// handshakeHeaders is Headers, keeping what it unpacks only with keep.
func (c *Conn) handshakeHeaders(keep bool) http.Header {
	if c.cfg.isServer {
		return c.handshakeRequest(keep).Headers
	}
	return c.handshakeResponse(keep).Headers
}
