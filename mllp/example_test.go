package mllp_test

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/reportgen/reportgen/mllp"
)

// A server that acknowledges every message, and a client that sends one.
func ExampleServer() {
	srv := &mllp.Server{Handler: mllp.HandlerFunc(func(_ context.Context, msg []byte) []byte {
		return []byte("MSH|^~\\&|||||||ACK|1|P|2.5.1\rMSA|AA|1\r")
	})}
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	go srv.Serve(l)
	defer srv.Shutdown(context.Background())

	c, err := mllp.Dial(context.Background(), l.Addr().String(), nil, 0)
	if err != nil {
		panic(err)
	}
	defer c.Close()
	ack, err := c.Send(context.Background(), []byte("MSH|^~\\&|...\r"), 5*time.Second)
	fmt.Printf("%q %v\n", ack[len(ack)-9:], err)
	// Output: "MSA|AA|1\r" <nil>
}
