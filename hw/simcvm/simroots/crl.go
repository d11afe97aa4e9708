package simroots

import (
	"crypto/rand"
	"crypto/x509"
	"fmt"
	"math/big"
	"time"
)

// CRL is the simulated ARK's certificate revocation list as AMD KDS serves it at the ASK's
// CRL distribution point (DER, RSA-PSS SHA-384), listing the given serials as revoked at
// now and valid from now for a week. It lets a loopback KDS answer the revocation check
// that --network makes.
func (a *AMD) CRL(now time.Time, revoked ...*big.Int) ([]byte, error) {
	key, err := testKey(keyARK)
	if err != nil {
		return nil, err
	}
	var entries []x509.RevocationListEntry
	for _, s := range revoked {
		entries = append(entries, x509.RevocationListEntry{SerialNumber: s, RevocationTime: now})
	}
	der, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		Number:                    big.NewInt(now.Unix()),
		ThisUpdate:                now,
		NextUpdate:                now.Add(7 * 24 * time.Hour),
		SignatureAlgorithm:        x509.SHA384WithRSAPSS,
		RevokedCertificateEntries: entries,
	}, a.ARK, key)
	if err != nil {
		return nil, fmt.Errorf("simroots: simulated AMD CRL: %w", err)
	}
	return der, nil
}
