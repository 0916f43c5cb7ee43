package redact

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"os"
)

const minKeyBytes = 32

// keyring holds the master pseudonym key and derives per-tenant keys.
type keyring struct {
	master []byte
}

func loadKeyring(cfg PseudonymConfig) (*keyring, error) {
	var key []byte
	switch {
	case cfg.KeyEnv != "":
		key = []byte(os.Getenv(cfg.KeyEnv))
		if len(key) < minKeyBytes {
			return nil, fmt.Errorf("pseudonym::key_env: environment variable %s holds %d bytes; set it to at least %d random bytes", cfg.KeyEnv, len(key), minKeyBytes)
		}
	case cfg.KeyFile != "":
		b, err := os.ReadFile(cfg.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("pseudonym::key_file: %w", err)
		}
		key = bytes.TrimRight(b, "\r\n")
		if len(key) < minKeyBytes {
			return nil, fmt.Errorf("pseudonym::key_file: %s holds %d bytes; it needs at least %d random bytes", cfg.KeyFile, len(key), minKeyBytes)
		}
	default:
		return nil, fmt.Errorf("pseudonym: set key_env or key_file")
	}
	return &keyring{master: key}, nil
}

// tenantKey derives the key of a tenant: HMAC-SHA256(master, "tenant:" + id).
// Without a tenant the master key is used.
func (k *keyring) tenantKey(tenant string) []byte {
	if tenant == "" {
		return k.master
	}
	mac := hmac.New(sha256.New, k.master)
	mac.Write([]byte("tenant:"))
	mac.Write([]byte(tenant))
	return mac.Sum(nil)
}
