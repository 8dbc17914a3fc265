package main

import (
	"context"
	"encoding/binary"
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
	ln, path, err := wire.Listen()
	if err != nil {
		panic(err)
	}
	defer wire.RemoveSocket(path)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		rd := wire.NewReader(c)
		for {
			id, _, err := rd.Next()
			if err != nil {
				return
			}
			ans := binary.BigEndian.AppendUint64(nil, id)
			ans = binary.BigEndian.AppendUint32(ans, 3)
			if _, err := c.Write(append(ans, 0xff, 0x00, 0x13)); err != nil {
				return
			}
		}
	}()
	goplugin.Serve(&goplugin.ServeConfig{
		HandshakeConfig: goplugin.HandshakeConfig{ProtocolVersion: wire.ProtocolVersion, MagicCookieKey: wire.MagicCookieKey, MagicCookieValue: wire.MagicCookieValue},
		Plugins:         goplugin.PluginSet{wire.PluginName: garbagePlugin{socket: path}},
		GRPCServer:      goplugin.DefaultGRPCServer,
		Logger:          hclog.New(&hclog.LoggerOptions{Level: hclog.Warn, Output: os.Stderr}),
	})
}

type garbagePlugin struct {
	goplugin.NetRPCUnsupportedPlugin
	socket string
}

func (p garbagePlugin) GRPCServer(_ *goplugin.GRPCBroker, s *grpc.Server) error {
	s.RegisterService(&wire.ServiceDesc, garbageServer(p))
	return nil
}

func (garbagePlugin) GRPCClient(context.Context, *goplugin.GRPCBroker, *grpc.ClientConn) (any, error) {
	return nil, nil
}

type garbageServer garbagePlugin

func (s garbageServer) Describe() ([]byte, error) {
	return cbor.Object.Marshal(nil, map[string]any{"protocol": int64(wire.ProtocolVersion), "codecs": []any{"xor"}, "serializers": []any{}, "socket": s.socket})
}
