package handoff

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"testing"
)

const childEnv = "HANDOFF_TEST_CHILD"

// TestMain runs the child's side when the test binary is started as one:
// it echoes its first handed-off pipe, upper-cased, into the second.
func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		f := Files(2)
		if f[0] == nil || f[1] == nil {
			os.Exit(3)
		}
		b, err := io.ReadAll(f[0])
		if err != nil {
			os.Exit(4)
		}
		f[1].Write(bytes.ToUpper(b))
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// A real child process gets both pipes, in order, and the parent's ends
// see its end of input and its answer.
func TestPipesReachAChild(t *testing.T) {
	inR, inW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=1")
	Attach(cmd, inR, outW)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	inR.Close()
	outW.Close()
	inW.Write([]byte("handed off"))
	inW.Close()
	got, err := io.ReadAll(outR)
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("child: %v", err)
	}
	if string(got) != "HANDED OFF" {
		t.Errorf("child answered %q, want %q", got, "HANDED OFF")
	}
}
