// Package client is a minimal Jupyter client over zmq4: enough to drive a
// kernel the way jupyter_client does, for corelab's kernel tests and for
// `corelab bench kernel`. It speaks to any kernel, not only corelab's.
//
// Use:
//
//	c, err := client.Dial(ctx, info)
//	defer c.Close()
//	err = c.WaitReady(ctx)
//	res, err := c.Execute(ctx, `fmt.Println("hi")`, nil)
package client
