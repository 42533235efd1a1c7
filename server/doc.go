// Package server will own all of podplay's I/O: HTTP routes (chi),
// sessions that each wrap one engine.Cluster in a goroutine, websocket
// streaming of watch events, and persistence in SQLite. It is not built
// yet; see the project's issues.
package server
