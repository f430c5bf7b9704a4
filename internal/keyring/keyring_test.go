package keyring

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSealOpen(t *testing.T) {
	k := Generate()
	s := k.Seal("phone", "13812345678")
	if strings.Contains(s, "13812345678") || !strings.HasPrefix(s, "sm4:1:") {
		t.Fatalf("sealed form %q", s)
	}
	if s2 := k.Seal("phone", "13812345678"); s2 == s {
		t.Error("two seals of one value are equal: the nonce is not fresh")
	}
	if got, err := k.Open("phone", s); err != nil || got != "13812345678" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if _, err := k.Open("address", s); err == nil {
		t.Error("a phone opened as an address")
	}
	if _, err := Generate().Open("phone", s); err == nil {
		t.Error("opened with another keyring")
	}
	b := []byte(s)
	b[len(b)-2] ^= 1
	if _, err := k.Open("phone", string(b)); err == nil {
		t.Error("an altered value opened")
	}
	if _, err := k.Open("phone", "13812345678"); err != ErrNotSealed {
		t.Errorf("plain value: %v, want ErrNotSealed", err)
	}
	if k.Seal("phone", "") != "" {
		t.Error("the empty value is sealed")
	}
	if got, err := k.Open("phone", ""); got != "" || err != nil {
		t.Errorf("Open(\"\") = %q, %v", got, err)
	}
}

func TestParseMarshal(t *testing.T) {
	k := Generate()
	k.Rotate()
	again, err := Parse(k.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	if again.Current() != 2 || again.Fingerprint() != k.Fingerprint() {
		t.Fatalf("round trip: current %d", again.Current())
	}
	if again.Index("id", "x") != k.Index("id", "x") {
		t.Error("blind index differs after a round trip")
	}
	old := k.Seal("f", "v")
	if got, _ := again.Open("f", old); got != "v" {
		t.Error("round-tripped keyring does not open")
	}
	for _, bad := range []string{
		"", "secret 00", "secret " + strings.Repeat("0", 64), "sm4 1 " + strings.Repeat("0", 32),
		"secret " + strings.Repeat("0", 64) + "\nsm4 0 " + strings.Repeat("0", 32),
		"secret " + strings.Repeat("0", 64) + "\nsm4 1 00",
		"secret " + strings.Repeat("0", 64) + "\nsm4 1 " + strings.Repeat("0", 32) + "\nsm4 1 " + strings.Repeat("1", 32),
		"password hunter2",
	} {
		if _, err := Parse([]byte(bad)); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
}

func TestIndexes(t *testing.T) {
	k := Generate()
	if k.Index("id", "a") != k.Index("id", "a") || k.Index("id", "a") == k.Index("id", "b") {
		t.Error("index not a function of the value")
	}
	if k.Index("id", "a") == k.Index("phone", "a") {
		t.Error("two indexes share a key")
	}
	if k.Index("id", "a") == Generate().Index("id", "a") {
		t.Error("index independent of the secret")
	}
	if k.Index("id", "") != "" {
		t.Error("the empty value has an index")
	}
	m1, m2 := k.MAC("chain"), k.MAC("audit")
	m1.Write([]byte("x"))
	m2.Write([]byte("x"))
	if string(m1.Sum(nil)) == string(m2.Sum(nil)) {
		t.Error("chain and audit share a key")
	}
}

// A server that loaded the file before a rotation opens values sealed
// with the new key: it re-reads the file.
func TestReloadAfterRotate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "xinfang.keys")
	k := Generate()
	if err := k.Save(path); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("keys file mode: %v %v", fi.Mode(), err)
	}
	serving, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	rotator, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if n := rotator.Rotate(); n != 2 {
		t.Fatalf("Rotate = %d", n)
	}
	if err := rotator.Save(path); err != nil {
		t.Fatal(err)
	}
	s := rotator.Seal("phone", "13800000000")
	if KeyOf(s) != 2 {
		t.Fatalf("sealed with key %d", KeyOf(s))
	}
	if got, err := serving.Open("phone", s); err != nil || got != "13800000000" {
		t.Fatalf("serving keyring: %q, %v", got, err)
	}
	if serving.Current() != 2 {
		t.Errorf("serving keyring encrypts with key %d after reload", serving.Current())
	}
}
