// Package keyring holds the secrets that protect the files: the SM4 keys
// that encrypt personal data at rest (SM4-GCM, numbered, so that a new key
// can replace an old one while the data is re-encrypted), and one secret
// from which the HMAC-SM3 keys of the blind indexes and of the hash chains
// are derived. The secrets live in a file or an environment variable,
// never in the database: a copy of the database alone reveals no identity
// number or phone, and cannot be re-chained after an edit.
//
// SM4 and SM3 are the block cipher and hash of the national cryptography
// standards (GB/T 32907, GB/T 32905), as 商用密码 practice asks.
package keyring

import (
	"bufio"
	"bytes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emmansun/gmsm/sm3"
	"github.com/emmansun/gmsm/sm4"
)

// prefix marks a sealed value: "sm4:" key number ":" base64(nonce‖ciphertext).
const prefix = "sm4:"

// Keyring is a set of keys. It is safe for concurrent use.
type Keyring struct {
	secret []byte // the HMAC-SM3 secret, never rotated: indexes and chains depend on it

	mu   sync.RWMutex
	enc  map[int]cipher.AEAD
	raw  map[int][]byte
	cur  int
	path string // the file it was read from, re-read when a newer key appears

	checked time.Time // when Seal last looked at the file's modification time
	modTime time.Time
}

// recheck is how often Seal looks whether the keys file has changed, so
// that every instance encrypts with a new key soon after a rotation.
const recheck = 30 * time.Second

// Generate returns a new keyring with a fresh secret and SM4 key number 1.
func Generate() *Keyring {
	k := &Keyring{secret: random(32), enc: map[int]cipher.AEAD{}, raw: map[int][]byte{}}
	k.add(1, random(16))
	return k
}

func random(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return b
}

func (k *Keyring) add(n int, key []byte) {
	block, err := sm4.NewCipher(key)
	if err != nil {
		panic(err) // the key is 16 bytes, checked by the callers
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	k.enc[n], k.raw[n] = aead, key
	if n > k.cur {
		k.cur = n
	}
}

// Parse reads a keyring from its text form:
//
//	secret <64 hex digits>
//	sm4 1 <32 hex digits>
//	sm4 2 <32 hex digits>
//
// Blank lines and lines starting with # are ignored; the highest-numbered
// SM4 key encrypts, every listed one decrypts.
func Parse(text []byte) (*Keyring, error) {
	k := &Keyring{enc: map[int]cipher.AEAD{}, raw: map[int][]byte{}}
	sc := bufio.NewScanner(bytes.NewReader(text))
	line := 0
	for sc.Scan() {
		line++
		f := strings.Fields(sc.Text())
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		switch {
		case f[0] == "secret" && len(f) == 2:
			b, err := hex.DecodeString(f[1])
			if err != nil || len(b) < 32 {
				return nil, fmt.Errorf("keys line %d: the secret must be at least 64 hex digits", line)
			}
			k.secret = b
		case f[0] == "sm4" && len(f) == 3:
			n, err := strconv.Atoi(f[1])
			if err != nil || n < 1 {
				return nil, fmt.Errorf("keys line %d: bad key number %q", line, f[1])
			}
			b, err := hex.DecodeString(f[2])
			if err != nil || len(b) != 16 {
				return nil, fmt.Errorf("keys line %d: an SM4 key is 32 hex digits", line)
			}
			if _, dup := k.raw[n]; dup {
				return nil, fmt.Errorf("keys line %d: key %d listed twice", line, n)
			}
			k.add(n, b)
		default:
			return nil, fmt.Errorf("keys line %d: expected \"secret HEX\" or \"sm4 N HEX\"", line)
		}
	}
	if k.secret == nil {
		return nil, errors.New("keys: no secret line")
	}
	if k.cur == 0 {
		return nil, errors.New("keys: no sm4 key")
	}
	return k, nil
}

// Marshal returns the text form that Parse reads.
func (k *Keyring) Marshal() []byte {
	k.mu.RLock()
	defer k.mu.RUnlock()
	var b bytes.Buffer
	b.WriteString("# Xinfang keys. Keep this file apart from the database and its backups;\n")
	b.WriteString("# without it the personal data in the database cannot be read.\n")
	fmt.Fprintf(&b, "secret %s\n", hex.EncodeToString(k.secret))
	ns := make([]int, 0, len(k.raw))
	for n := range k.raw {
		ns = append(ns, n)
	}
	sort.Ints(ns)
	for _, n := range ns {
		fmt.Fprintf(&b, "sm4 %d %s\n", n, hex.EncodeToString(k.raw[n]))
	}
	return b.Bytes()
}

// Load reads the keyring of a file; the keyring re-reads the file when it
// meets a value sealed with a key it does not know (one added by a
// rotation while it serves).
func Load(path string) (*Keyring, error) {
	text, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	k, err := Parse(text)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	k.path = path
	if fi, err := os.Stat(path); err == nil {
		k.modTime = fi.ModTime()
	}
	k.checked = time.Now()
	return k, nil
}

// Save writes the keyring to path, readable by its owner only, replacing
// the file atomically; later reloads read that file.
func (k *Keyring) Save(path string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".keys-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(k.Marshal()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	k.path = path
	return nil
}

// Rotate adds a new SM4 key, which encrypts from now on; the older keys
// still decrypt. It returns the new key's number.
func (k *Keyring) Rotate() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	n := k.cur + 1
	k.add(n, random(16))
	return n
}

// Current is the number of the key that encrypts.
func (k *Keyring) Current() int {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.cur
}

// reload merges the keys of the file the keyring came from.
func (k *Keyring) reload() {
	if k.path == "" {
		return
	}
	text, err := os.ReadFile(k.path)
	if err != nil {
		return
	}
	f, err := Parse(text)
	if err != nil || !hmac.Equal(f.secret, k.secret) {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	for n, key := range f.raw {
		if _, ok := k.raw[n]; !ok {
			k.add(n, key)
		}
	}
}

func (k *Keyring) reloadIfChanged() {
	fi, err := os.Stat(k.path)
	k.mu.Lock()
	k.checked = time.Now()
	changed := err == nil && !fi.ModTime().Equal(k.modTime)
	if changed {
		k.modTime = fi.ModTime()
	}
	k.mu.Unlock()
	if changed {
		k.reload()
	}
}

func (k *Keyring) aead(n int) cipher.AEAD {
	k.mu.RLock()
	a := k.enc[n]
	k.mu.RUnlock()
	if a == nil {
		k.reload()
		k.mu.RLock()
		a = k.enc[n]
		k.mu.RUnlock()
	}
	return a
}

// Seal encrypts a value of the named field (the name is authenticated, so
// a sealed value copied into another field does not open). The empty value
// stays empty.
func (k *Keyring) Seal(field, plain string) string {
	if plain == "" {
		return ""
	}
	k.mu.RLock()
	stale := k.path != "" && time.Since(k.checked) > recheck
	k.mu.RUnlock()
	if stale {
		k.reloadIfChanged()
	}
	k.mu.RLock()
	n, a := k.cur, k.enc[k.cur]
	k.mu.RUnlock()
	nonce := random(a.NonceSize())
	out := a.Seal(nonce, nonce, []byte(plain), []byte(field))
	return prefix + strconv.Itoa(n) + ":" + base64.RawStdEncoding.EncodeToString(out)
}

// KeyOf returns the number of the key a value was sealed with, 0 for a
// value that is not sealed.
func KeyOf(sealed string) int {
	rest, ok := strings.CutPrefix(sealed, prefix)
	if !ok {
		return 0
	}
	num, _, ok := strings.Cut(rest, ":")
	if !ok {
		return 0
	}
	n, _ := strconv.Atoi(num)
	return n
}

// ErrNotSealed is returned by Open for a non-empty value without the
// sealed form: a field written before encryption, or written around the
// application.
var ErrNotSealed = errors.New("keyring: value is not sealed")

// Open decrypts a value Seal returned for the same field.
func (k *Keyring) Open(field, sealed string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	n := KeyOf(sealed)
	if n == 0 {
		return "", ErrNotSealed
	}
	_, body, _ := strings.Cut(sealed[len(prefix):], ":")
	raw, err := base64.RawStdEncoding.DecodeString(body)
	if err != nil {
		return "", fmt.Errorf("keyring: %s: %w", field, err)
	}
	a := k.aead(n)
	if a == nil {
		return "", fmt.Errorf("keyring: %s is sealed with key %d, which the keys file does not hold", field, n)
	}
	if len(raw) < a.NonceSize() {
		return "", fmt.Errorf("keyring: %s: sealed value too short", field)
	}
	plain, err := a.Open(nil, raw[:a.NonceSize()], raw[a.NonceSize():], []byte(field))
	if err != nil {
		return "", fmt.Errorf("keyring: %s does not open: the value was altered or the key is wrong", field)
	}
	return string(plain), nil
}

// MAC returns a new HMAC-SM3 keyed for one purpose ("chain", "audit" …);
// keys of different purposes are independent.
func (k *Keyring) MAC(purpose string) hash.Hash {
	return hmac.New(sm3.New, k.derive(purpose))
}

func (k *Keyring) derive(purpose string) []byte {
	m := hmac.New(sm3.New, k.secret)
	m.Write([]byte("xinfang/" + purpose))
	return m.Sum(nil)
}

// Index returns the blind index of a value for exact-match look-ups: the
// hex HMAC-SM3 of the value under the key of the named index. Equal values
// have equal indexes; without the secret an index cannot be computed from
// a guessed value. The empty value has the empty index.
func (k *Keyring) Index(name, value string) string {
	if value == "" {
		return ""
	}
	m := k.MAC("index/" + name)
	m.Write([]byte(value))
	return hex.EncodeToString(m.Sum(nil))
}

// Fingerprint identifies the secret without revealing it, so that a
// database can tell whether it is opened with the keys it was written with.
func (k *Keyring) Fingerprint() string {
	m := k.MAC("fingerprint")
	return hex.EncodeToString(m.Sum(nil))[:16]
}
