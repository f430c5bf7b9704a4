package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"xinfang/internal/sqldb/sqldbtest"
)

// selfSigned writes a certificate for 127.0.0.1 and its key as PEM files
// and returns their paths and the certificate.
func selfSigned(t *testing.T) (certFile, keyFile string, cert *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "xinfang test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err = x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile, cert
}

// loginOver posts the admin's login with client and returns the answer.
func loginOver(t *testing.T, client *http.Client, url string, header map[string]string) *http.Response {
	t.Helper()
	req, err := http.NewRequest("POST", url+"/api/v1/login", strings.NewReader(`{"username":"admin","password":"`+sqldbtest.Password+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	return resp
}

// Served over TLS, the session cookie is Secure and every answer asks for
// HTTPS (HSTS); so behind a trusted proxy that says HTTPS. Plain HTTP
// without a proxy has neither.
func TestMainTLS(t *testing.T) {
	certFile, keyFile, cert := selfSigned(t)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	tlsClient := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}

	tests := []struct {
		name   string
		args   []string
		scheme string
		header map[string]string
		want   bool // HSTS and a Secure cookie
	}{
		{"TLS", []string{"--tls-cert", certFile, "--tls-key", keyFile}, "https", nil, true},
		{"plain HTTP", nil, "http", nil, false},
		{"plain HTTP, a forged X-Forwarded-Proto", nil, "http", map[string]string{"X-Forwarded-Proto": "https"}, false},
		{"behind a trusted proxy over HTTPS", []string{"--trusted-proxy", "127.0.0.1"}, "http", map[string]string{"X-Forwarded-Proto": "https"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _, _ := startMain(t, tt.args...)
			client := http.DefaultClient
			if tt.scheme == "https" {
				client = tlsClient
			}
			resp := loginOver(t, client, tt.scheme+"://"+m.Addr, tt.header)
			if hsts := resp.Header.Get("Strict-Transport-Security"); (hsts != "") != tt.want {
				t.Errorf("Strict-Transport-Security %q, want it %v", hsts, tt.want)
			}
			var secure, found bool
			for _, c := range resp.Cookies() {
				if c.Name == "xf_session" {
					secure, found = c.Secure, true
				}
			}
			if !found || secure != tt.want {
				t.Errorf("session cookie found %v, Secure %v; want Secure %v", found, secure, tt.want)
			}
		})
	}
}

// A missing or bad certificate or key, or one of the two alone, stops the
// command with the flag's name, before the database is created.
func TestConfigTLSFiles(t *testing.T) {
	certFile, keyFile, _ := selfSigned(t)
	_, otherKey, _ := selfSigned(t)
	junk := filepath.Join(t.TempDir(), "junk.pem")
	if err := os.WriteFile(junk, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		env  env
		args []string
		want string
	}{
		{"certificate alone", nil, []string{"--tls-cert", certFile}, "--tls-key"},
		{"key alone", env{"XINFANG_TLS_KEY": keyFile}, nil, "--tls-cert"},
		{"no certificate file", nil, []string{"--tls-cert", "/nonexistent.pem", "--tls-key", keyFile}, "--tls-cert"},
		{"no key file", nil, []string{"--tls-cert", certFile, "--tls-key", "/nonexistent.pem"}, "--tls-key"},
		{"not a certificate", nil, []string{"--tls-cert", junk, "--tls-key", keyFile}, "--tls-cert"},
		{"a key as the certificate", nil, []string{"--tls-cert", keyFile, "--tls-key", keyFile}, "--tls-cert"},
		{"not a key", nil, []string{"--tls-cert", certFile, "--tls-key", junk}, "--tls-key"},
		{"another certificate's key", env{"XINFANG_TLS_CERT": certFile, "XINFANG_TLS_KEY": otherKey}, nil, "--tls-key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parse(t, "serve", tt.env, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one naming %s", err, tt.want)
			}
		})
	}
	if _, err := parse(t, "serve", nil, "--tls-cert", certFile, "--tls-key", keyFile); err != nil {
		t.Fatalf("a good pair: %v", err)
	}

	t.Setenv("XINFANG_DB", "")
	path := filepath.Join(t.TempDir(), "xinfang.db")
	err := Run(t.Context(), []string{"serve", "--db", path, "--tls-cert", certFile, "--tls-key", junk}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "--tls-key") {
		t.Fatalf("serve with a bad key: %v", err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("a refused configuration created the database: %v", err)
	}
}
