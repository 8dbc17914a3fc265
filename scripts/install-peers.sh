#!/usr/bin/env bash
# Installs the third-party interoperability peers (../shared/INTEROP.md) when they are missing:
# Autobahn|Python 22.7.1 and its serializers from Debian, AutobahnJS / wampy / ws from npm, and
# staticcheck from the Go module proxy. Safe to run again: it only installs what is absent.
set -euo pipefail
cd "$(dirname "$0")/.."

python_ok() {
	/usr/bin/python3 -c 'import autobahn, twisted, cbor2, msgpack, ubjson, nacl, bson' >/dev/null 2>&1
}
if ! python_ok; then
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	echo "install-peers: installing Autobahn|Python from Debian packages" >&2
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
		python3-autobahn python3-twisted python3-cbor2 python3-msgpack python3-ubjson \
		python3-nacl python3-u-msgpack python3-bson >/dev/null
	python_ok || { echo "install-peers: Autobahn|Python still not importable by /usr/bin/python3" >&2; exit 1; }
fi

if [ ! -d interop/node/node_modules/ws ] || [ ! -d interop/node/node_modules/autobahn ]; then
	echo "install-peers: installing node peers (npm install, pinned by package-lock.json)" >&2
	(cd interop/node && npm install --no-audit --no-fund --loglevel=error)
fi

if ! command -v staticcheck >/dev/null 2>&1 && [ ! -x "$(go env GOPATH)/bin/staticcheck" ]; then
	echo "install-peers: installing staticcheck" >&2
	go install honnef.co/go/tools/cmd/staticcheck@v0.8.2
fi
