package main

import (
	"context"
	"os"

	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/autobahn-go/autobahn/payloadcodec/plugin/internal/wire"
	"github.com/autobahn-go/autobahn/serializers/cbor"
)

// serveGarbage serves a plugin that describes itself correctly (codec
// "xor") and answers every request with bytes that are not CBOR.
func serveGarbage() {
	goplugin.Serve(&goplugin.ServeConfig{
		HandshakeConfig: goplugin.HandshakeConfig{ProtocolVersion: wire.ProtocolVersion, MagicCookieKey: wire.MagicCookieKey, MagicCookieValue: wire.MagicCookieValue},
		Plugins:         goplugin.PluginSet{wire.PluginName: garbagePlugin{}},
		GRPCServer:      goplugin.DefaultGRPCServer,
		Logger:          hclog.New(&hclog.LoggerOptions{Level: hclog.Warn, Output: os.Stderr}),
	})
}

type garbagePlugin struct {
	goplugin.NetRPCUnsupportedPlugin
}

func (garbagePlugin) GRPCServer(_ *goplugin.GRPCBroker, s *grpc.Server) error {
	s.RegisterService(&wire.ServiceDesc, garbageServer{})
	return nil
}

func (garbagePlugin) GRPCClient(context.Context, *goplugin.GRPCBroker, *grpc.ClientConn) (any, error) {
	return nil, nil
}

type garbageServer struct{}

func (garbageServer) Describe() ([]byte, error) {
	return cbor.Object.Marshal(nil, map[string]any{"protocol": int64(wire.ProtocolVersion), "codecs": []any{"xor"}, "serializers": []any{}})
}

func (garbageServer) Exchange(stream grpc.ServerStream) error {
	for {
		var m wire.Frame
		if err := stream.RecvMsg(&m); err != nil {
			return nil
		}
		var out []byte
		wire.Split(m.B, func(id uint64, _ []byte) {
			out = wire.AppendItem(out, id, []byte{0xff, 0x00, 0x13})
		})
		if err := stream.SendMsg(&wire.Frame{B: out}); err != nil {
			return err
		}
	}
}
