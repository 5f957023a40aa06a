// Package kernel is the Jupyter side of corelab: it reads a connection file,
// binds the five Jupyter sockets, and answers the messaging protocol (5.3)
// by driving the notebook's evaluator, which runs in a child process
// supervised by kernel/supervisor.
//
// Data flows straight through: a socket's receive loop decodes and verifies
// each message (kernel/wire), a handler answers it on the socket it came in
// on, and everything a cell shows is published on iopub with the request as
// parent, between status busy and status idle. The shell channel is served
// one request at a time; the control channel has its own goroutine, so
// interrupt and shutdown work while a cell runs; the heartbeat echoes on its
// own goroutine too.
//
// Use:
//
//	err := kernel.Run(ctx, kernel.Config{ConnectionFile: path})
package kernel
