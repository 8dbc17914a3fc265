// Package node reads a Crossbar.io node configuration (config.json, version
// 2, or the same document as YAML) and runs the router node it describes:
// the realms and roles of its router worker become [router.Options], and
// each of the worker's transports a listener with its own authentication,
// serializers and options. "autobahn serve --config FILE" is a thin wrapper
// around [Load] and [Start].
//
// The package is called node because that is what Crossbar.io calls the
// process a config.json describes, and because it does both halves of the
// job — reading the file and running what it says; a package named config
// would say only the first half and clash with every local variable named
// config.
//
// # What is read, and what is refused
//
// The reader follows Crossbar.io's own checker (checkconfig.py): the same
// keys, types and defaults. Everything this module implements is mapped;
// everything else that Crossbar.io accepts — guest and container workers,
// router components, cookie and TLS-client-certificate authentication,
// web services other than static and websocket, MQTT, … — is refused by
// name, and any key neither knows is an error. Every error is an [*Error]
// that names the key path ("workers[0].transports[1].endpoint.port") and
// the reason, so that a configuration either runs as written or does not
// start at all: nothing is silently ignored that would change what is
// served. The keys accepted without effect are those that concern only
// Crossbar.io's process management (a worker's "pythonpath", the
// controller's "title"); the README lists them all.
//
// Relative paths (static directories, TLS files, Unix sockets) are taken
// relative to the directory of the configuration file, as Crossbar.io
// takes them relative to its node directory.
package node
