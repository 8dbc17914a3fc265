#!/usr/bin/env bash
# The test command (README "Testing"): installs missing interop peers, then runs vet, staticcheck
# and every test with the race detector, the live interop tests included (AUTOBAHN_INTEROP=1 makes
# a missing peer a failure instead of a skip).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-peers.sh
export PATH="$PATH:$(go env GOPATH)/bin"
export AUTOBAHN_INTEROP=1

unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './interop/node/*'))
if [ -n "$unformatted" ]; then
	echo "gofmt needed on:" >&2
	echo "$unformatted" >&2
	exit 1
fi
go vet ./...
staticcheck ./...
go test -race -count=1 -timeout 20m ./...
