# Shared by the Autobahn|Python (asyncio) peers of examples_test.go: the
# same flags as the Go examples (--url, --realm and each example's own),
# the same output format (strings as they are, anything else as compact
# JSON with sorted keys), and a watchdog so that no script outlives a test.

import argparse
import asyncio
import json
import os
import sys
import traceback

import txaio

txaio.use_asyncio()
# Logs go to stderr: stdout carries what the test asserts on.
txaio.start_logging(out=sys.stderr, level="warn")

from autobahn.asyncio.wamp import ApplicationRunner, ApplicationSession  # noqa: E402

# The exit status of a frontend: 1 once something failed.
status = {"code": 0}


def parse_args(**extra):
    """--url, --realm and the given flags (name=default, typed by the default)."""
    p = argparse.ArgumentParser()
    p.add_argument("--url", default="ws://127.0.0.1:8080/ws")
    p.add_argument("--realm", default="realm1")
    for name, default in extra.items():
        p.add_argument("--" + name, type=type(default), default=default)
    return p.parse_args()


def show(v):
    if isinstance(v, str):
        return v
    return json.dumps(v, separators=(",", ":"), sort_keys=True)


def out(*args):
    print(*args, flush=True)


def frontend(body):
    """An ApplicationSession that runs body(session), then leaves and stops."""

    class Frontend(ApplicationSession):
        async def onJoin(self, details):
            try:
                await body(self)
            except Exception:
                traceback.print_exc()
                status["code"] = 1
            self.leave()

        def onDisconnect(self):
            asyncio.get_event_loop().stop()

    return Frontend


def backend(setup):
    """An ApplicationSession that runs setup(session), then says it is ready."""

    class Backend(ApplicationSession):
        async def onJoin(self, details):
            try:
                await setup(self)
            except Exception:
                traceback.print_exc()
                os._exit(1)
            out("Python backend ready for frontend.")

        def onDisconnect(self):
            asyncio.get_event_loop().stop()

    return Backend


def run(session_class, args, timeout=30.0):
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    def expire():
        print("watchdog: %.0f s passed" % timeout, file=sys.stderr, flush=True)
        os._exit(3)

    loop.call_later(timeout, expire)
    ApplicationRunner(args.url, args.realm).run(session_class, log_level="warn")
    sys.exit(status["code"])
