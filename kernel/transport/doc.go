// Package transport registers "tcpg", a guarded TCP transport for zmq4
// sockets, so that no single peer can stall, crash or starve a kernel.
//
// zmq4 v0.17.0 trusts its peers: its listener runs each ZMTP greeting and
// handshake inline in the accept loop with no deadline, so one silent
// connection blocks every later client (heartbeat included); it allocates
// whatever frame length a peer announces (2^62 bytes panics, 2^40 runs out
// of memory); it panics on a READY command with a short property or an
// unknown socket type; and a peer that stops reading blocks its writer,
// under a lock other peers share. tcpg fixes these without changing zmq4,
// by wrapping each net.Conn zmq4 is given:
//
//   - The listener sends the greeting and reads the peer's greeting and
//     first handshake command (READY) on a goroutine per connection, under
//     Options.GreetingTimeout, and checks them; zmq4's accept loop only
//     gets connections whose handshake it can run from memory. A peer
//     whose socket type cannot talk to the listening socket is closed
//     (zmq4 would refuse it but leave it open).
//   - Reads parse the ZMTP framing before zmq4 sees a frame header: frames
//     over Options.MaxFrame, messages over Options.MaxMessage bytes or
//     Options.MaxFrames frames, and framing errors close the connection.
//     Frames over 64 KiB are read in full before zmq4 sees their header,
//     so memory follows the bytes a peer sent, not the size it announced.
//     Commands after the handshake (PING, ...) are dropped.
//   - A PUB socket's peers may only send subscriptions (single frames
//     starting with 1 or 0) with topics up to 1 KiB, at most 64 per peer:
//     zmq4 queues anything else for a Recv that PUB never calls, and the
//     peer's reader then blocks forever holding its memory and socket.
//     Options.SocketLimits caps messages by the local socket's type (the
//     kernel's heartbeat only gets short pings).
//   - Writes are queued per connection and sent by its own goroutine, up
//     to message boundaries (one write per message), so zmq4's writers,
//     which serve peers one after another under a lock, never wait for the
//     network. A peer that takes nothing for Options.WriteTimeout, or lets
//     more than Options.MaxQueued bytes pile up, is disconnected, and
//     zmq4 removes it; the other peers are not delayed at all. On Close,
//     what is queued is sent within Options.Linger, and closing the
//     listening socket waits for that.
//   - On a ROUTER, a peer claiming the identity of a connected peer is
//     given a fresh one (zmq4 would send it copies of the other's
//     replies); see conn.checkPeer for why it is not refused.
//   - At most Options.MaxPending connections may be in their greeting at
//     once; when a new one arrives at the cap, the oldest is dropped, so a
//     flood of silent connections cannot lock real clients out.
//
// Only the NULL security mechanism is supported (what Jupyter uses).
//
// Use:
//
//	if err := transport.Register(transport.Options{}); err != nil { ... }
//	sock.Listen(transport.Endpoint(cf.Transport, cf.IP, cf.ShellPort))
package transport
