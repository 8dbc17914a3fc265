module github.com/autobahn-go/autobahn

go 1.26

require (
	github.com/fxamacker/cbor/v2 v2.9.6
	github.com/gorilla/websocket v1.5.3
	github.com/ugorji/go/codec v1.3.2
	github.com/vmihailenco/msgpack/v5 v5.4.1
)

require (
	github.com/vmihailenco/tagparser/v2 v2.0.0 // indirect
	github.com/x448/float16 v0.8.4 // indirect
	gopkg.in/yaml.v3 v3.0.1 // indirect
)
