package redisserver_test

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/idempotency-operator/idempotency-operator/test/redisserver"
)

func TestStartedServerAnswersAndStopEndsIt(t *testing.T) {
	s := redisserver.Start(t)
	wantReply(t, s.Addr(), "PING", "+PONG\r\n")
	wantReply(t, s.Addr(), "SET answer 42", "+OK\r\n")

	s.Stop()

	if conn, err := net.DialTimeout("tcp", s.Addr(), time.Second); err == nil {
		conn.Close()
		t.Fatalf("connected to %s after Stop", s.Addr())
	}
	s.Stop()
}

func TestRestartKeepsTheAddressAndLosesTheData(t *testing.T) {
	s := redisserver.Start(t)
	addr := s.Addr()
	wantReply(t, addr, "SET answer 42", "+OK\r\n")

	s.Restart()

	if s.Addr() != addr {
		t.Fatalf("Addr after Restart = %s, want %s", s.Addr(), addr)
	}
	wantReply(t, addr, "EXISTS answer", ":0\r\n")
}

func TestServersGetTheirOwnPorts(t *testing.T) {
	a, b := redisserver.Start(t), redisserver.Start(t)
	if a.Addr() == b.Addr() {
		t.Fatalf("two servers share %s", a.Addr())
	}
	if want := "redis://" + a.Addr() + "/0"; a.URL() != want {
		t.Fatalf("URL = %q, want %q", a.URL(), want)
	}
}

// wantReply sends an inline command to addr and fails unless the first
// line of the reply is want.
func wantReply(t *testing.T, addr, command, want string) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		t.Fatalf("dialing %s: %v", addr, err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(2 * time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Write([]byte(command + "\r\n")); err != nil {
		t.Fatalf("sending %q: %v", command, err)
	}
	buf := make([]byte, 64)
	n, err := conn.Read(buf)
	if err != nil {
		t.Fatalf("reading reply to %q: %v", command, err)
	}
	if got := string(buf[:n]); got != want {
		t.Fatalf("%q answered %q, want %q", command, got, want)
	}
}

func TestClusterOwnsEverySlot(t *testing.T) {
	s := redisserver.StartCluster(t)
	info, err := redisserver.Do(s.Addr(), "CLUSTER", "INFO")
	if err != nil {
		t.Fatalf("CLUSTER INFO: %v", err)
	}
	for _, want := range []string{"cluster_state:ok", "cluster_slots_assigned:16384"} {
		if !strings.Contains(info, want) {
			t.Errorf("CLUSTER INFO lacks %q:\n%s", want, info)
		}
	}
	if want := "redis-cluster://" + s.Addr(); s.URL() != want {
		t.Errorf("URL = %q, want %q", s.URL(), want)
	}
}

func TestSentinelKnowsThePrimary(t *testing.T) {
	primary := redisserver.Start(t)
	s := redisserver.StartSentinel(t, primary, "mymaster")

	if _, err := redisserver.Do(s.Addr(), "SENTINEL", "CKQUORUM", "mymaster"); err != nil {
		t.Fatalf("SENTINEL CKQUORUM mymaster: %v", err)
	}
	if want := "redis-sentinel://" + s.Addr() + "/mymaster"; s.URL() != want {
		t.Errorf("URL = %q, want %q", s.URL(), want)
	}
}
