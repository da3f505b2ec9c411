package release

import (
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"aead.dev/minisign"
)

// SignatureSuffix is appended to checksums.txt for its signature, as
// minisign does.
const SignatureSuffix = ".minisig"

// KeyPair is a freshly generated key pair in minisign's file formats.
type KeyPair struct {
	Public  []byte
	Private []byte
	ID      string
}

// GenerateKey makes a minisign key pair. The private key is encrypted
// with password (scrypt, as minisign does) unless password is empty and
// unencrypted is true; an empty password without unencrypted is refused
// so a key is never left unprotected by accident.
func GenerateKey(password string, unencrypted bool) (*KeyPair, error) {
	if password == "" && !unencrypted {
		return nil, errors.New("empty passphrase: set one, or ask for an unencrypted key explicitly")
	}
	pub, priv, err := minisign.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generating key: %w", err)
	}
	kp := &KeyPair{ID: keyID(pub.ID())}
	if kp.Public, err = pub.MarshalText(); err != nil {
		return nil, err
	}
	kp.Public = append(kp.Public, '\n')
	if unencrypted {
		kp.Private, err = priv.MarshalText()
	} else {
		kp.Private, err = minisign.EncryptKey(password, priv)
	}
	if err != nil {
		return nil, fmt.Errorf("encoding private key: %w", err)
	}
	kp.Private = append(kp.Private, '\n')
	return kp, nil
}

// WriteKeyPair writes the key files, never replacing an existing one;
// the private key is readable by its owner only.
func WriteKeyPair(kp *KeyPair, privPath, pubPath string) error {
	for _, p := range []string{privPath, pubPath} {
		if _, err := os.Lstat(p); err == nil {
			return fmt.Errorf("%s already exists: refusing to overwrite a key", p)
		}
	}
	if err := writeNew(privPath, kp.Private, 0o600); err != nil {
		return err
	}
	if err := writeNew(pubPath, kp.Public, 0o644); err != nil {
		return err
	}
	return nil
}

func keyID(id uint64) string { return fmt.Sprintf("%016X", id) }

// LoadPrivateKey reads a minisign private key. A key file others can read
// is refused, as ssh refuses one; an encrypted key needs password.
func LoadPrivateKey(path, password string) (minisign.PrivateKey, error) {
	var key minisign.PrivateKey
	fi, err := os.Stat(path)
	if err != nil {
		return key, fmt.Errorf("reading signing key: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return key, fmt.Errorf("signing key %s has mode %04o: others may read it; run chmod 600 %s", path, fi.Mode().Perm(), path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return key, fmt.Errorf("reading signing key: %w", err)
	}
	if !minisign.IsEncrypted(data) {
		if err := key.UnmarshalText(data); err != nil {
			return key, fmt.Errorf("reading signing key %s: not a minisign private key", path)
		}
		return key, nil
	}
	if password == "" {
		return key, fmt.Errorf("signing key %s is encrypted: set GOPORT_SIGNING_PASSWORD", path)
	}
	key, err = minisign.DecryptKey(password, data)
	if err != nil {
		// The library's error does not tell a wrong passphrase from a
		// damaged file; both end here.
		return key, fmt.Errorf("decrypting signing key %s: wrong passphrase or damaged key", path)
	}
	return key, nil
}

// LoadPublicKey reads a minisign public key file (the two-line form
// minisign -G writes) or a bare base64 key.
func LoadPublicKey(path string) (minisign.PublicKey, error) {
	var key minisign.PublicKey
	data, err := os.ReadFile(path)
	if err != nil {
		return key, fmt.Errorf("reading public key: %w", err)
	}
	if err := key.UnmarshalText(data); err != nil {
		return key, fmt.Errorf("reading public key %s: not a minisign public key", path)
	}
	return key, nil
}

// sign signs message with a trusted comment carrying the release's
// source date and the file name, as minisign -S does, so the same key,
// date and file give the same signature (Ed25519 is deterministic).
func sign(key minisign.PrivateKey, message []byte, file string, when time.Time) []byte {
	trusted := "timestamp:" + strconv.FormatInt(when.Unix(), 10) + "\tfile:" + file
	untrusted := "signature from goport secret key " + keyID(key.ID())
	return minisign.SignWithComments(key, message, trusted, untrusted)
}
