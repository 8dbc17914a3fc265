// Package router holds the interoperability tests of the embedded router:
// real WAMP clients nobody on this project wrote (Autobahn|Python,
// AutobahnJS and wampy, see /work/shared/INTEROP.md) call, register,
// publish and subscribe through "autobahn serve", run as its own process
// exactly as a user runs it.
package router
