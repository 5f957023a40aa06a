package transport

import (
	"bytes"
	"context"
	"testing"

	"github.com/go-zeromq/zmq4"
)

// BenchmarkRoundTrip measures one request/reply between a DEALER client on
// plain tcp and a ROUTER server listening on plain tcp or on tcpg, with a
// Jupyter-shaped message (delimiter, signature, four JSON frames; and one
// with 1 MiB of content). Compare the tcp and tcpg lines of the same run.
// zmq4's Send writes frame by frame and SendMulti with one writev; both
// are shown.
func BenchmarkRoundTrip(b *testing.B) {
	setup(b, Options{})
	frames := [][]byte{
		[]byte("<IDS|MSG>"),
		bytes.Repeat([]byte("a"), 64),
		[]byte(`{"msg_id":"6a1c7a2e-3b7b-4d0e-9d1e-0a4d6f0f8b11","session":"s","username":"u","date":"2026-01-01T00:00:00.000000Z","msg_type":"execute_request","version":"5.3"}`),
		[]byte("{}"),
		[]byte("{}"),
		bytes.Repeat([]byte(`{"code":"fmt.Println(i)"}`), 20),
	}
	big := append(frames[:5:5], bytes.Repeat([]byte("x"), 1<<20))
	for _, network := range []string{"tcp", Name} {
		for _, v := range []struct {
			name   string
			multi  bool
			frames [][]byte
		}{{"Send", false, frames}, {"SendMulti", true, frames}, {"SendMulti1MiB", true, big}} {
			multi, frames := v.multi, v.frames
			b.Run(network+"/"+v.name, func(b *testing.B) {
				router, addr := listen(b, zmq4.NewRouter, network)
				dealer := zmq4.NewDealer(context.Background(), zmq4.WithLogger(quietLogger()))
				defer dealer.Close()
				if err := dealer.Dial("tcp://" + addr); err != nil {
					b.Fatal(err)
				}
				send := func(s zmq4.Socket, m zmq4.Msg) error {
					if multi {
						return s.SendMulti(m)
					}
					return s.Send(m)
				}
				b.ReportAllocs()
				for b.Loop() {
					if err := send(dealer, zmq4.NewMsgFrom(frames...)); err != nil {
						b.Fatal(err)
					}
					req, err := router.Recv()
					if err != nil {
						b.Fatal(err)
					}
					if err := send(router, zmq4.NewMsgFrom(req.Frames...)); err != nil {
						b.Fatal(err)
					}
					if _, err := dealer.Recv(); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
