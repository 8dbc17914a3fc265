package websocket

import (
	"context"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// TestPackHandshake checks that packed handshakes come back exactly,
// whatever the keys and values (middleware may put anything into a
// request's headers).
func TestPackHandshake(t *testing.T) {
	for _, tt := range []struct {
		fields []string
		h      http.Header
	}{
		{nil, http.Header{}},
		{[]string{"", ""}, http.Header{"Upgrade": {"websocket"}}},
		{[]string{"example.com:80", "/a b", "x=1&y", "[::1]:5"}, http.Header{
			"Sec-Websocket-Protocol": {"wamp.2.json", "wamp.2.cbor"},
			"Empty":                  {""},
			"No-Values":              {},
			"non canonical":          {"a\r\nb", strings.Repeat("v", 300)},
			"\x00\xff":               {"\x80\x80\x80"},
		}},
	} {
		p := packHandshake(tt.h, tt.fields...)
		f, h := unpackHandshake(p, len(tt.fields))
		if len(tt.fields) == 0 {
			f = nil
		}
		if !reflect.DeepEqual(f, tt.fields) || !reflect.DeepEqual(h, tt.h) {
			t.Errorf("unpack(pack(%q, %q)) = %q, %q", tt.h, tt.fields, h, f)
		}
	}
}

// TestHandshakeKept checks that the connections describe the handshake as
// OnConnect saw it, on both sides.
func TestHandshakeKept(t *testing.T) {
	offer := ClientDeflateOffer
	s := &Server{Options: Options{PerMessageCompressionAccept: AcceptDeflate}, Protocols: []string{"p1"}}
	url, handlers := startServer(t, s)
	var seen *ConnectionResponse
	rec := newRecorder()
	d := &Dialer{Logger: quietLog, Protocols: []string{"p1"}, Origin: "http://example.com",
		Options: Options{PerMessageCompressionOffers: []DeflateOffer{offer}}}
	rec.response = func(r *ConnectionResponse) error { seen = r; return nil }
	c, err := d.Dial(context.Background(), url+"/path?a=1&a=2&b=", clientRecorder{rec})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { c.Abort(); <-c.Done() }()
	srec := recv(t, handlers, "server handler")
	req := recv(t, srec.requests, "request")
	sc := recv(t, srec.opened, "server open")
	if got := c.Response(); !reflect.DeepEqual(got, seen) || len(got.Extensions) != 1 {
		t.Errorf("client Response() = %+v, want %+v", got, seen)
	}
	if got := sc.Request(); !reflect.DeepEqual(got, req) || len(got.Extensions) != 1 || got.Origin != "http://example.com" || len(got.Params["a"]) != 2 {
		t.Errorf("server Request() = %+v, want %+v", got, req)
	}
	if c.Request() != nil || sc.Response() != nil {
		t.Error("the other side's handshake is not nil")
	}
}
