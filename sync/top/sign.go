package top

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"sort"
	"strings"
)

// Sign methods the gateway accepts.
const (
	SignMD5        = "md5"
	SignHMAC       = "hmac" // HMAC-MD5
	SignHMACSHA256 = "hmac-sha256"
)

// Sign computes the TOP signature over params: every parameter but "sign" itself, sorted by name
// in byte order, concatenated as name+value with raw values, digested with the secret, upper-case
// hex. Empty values are skipped because Call never sends them (an empty parameter signed by one
// side and dropped by the other is the classic cause of signature mismatches).
func Sign(params map[string]string, secret, signMethod string) (string, error) {
	var h hash.Hash
	switch signMethod {
	case SignMD5:
		h = md5.New()
		h.Write([]byte(secret))
	case SignHMAC:
		h = hmac.New(md5.New, []byte(secret))
	case SignHMACSHA256:
		h = hmac.New(sha256.New, []byte(secret))
	default:
		return "", fmt.Errorf("top: unknown sign method %q (want md5, hmac or hmac-sha256)", signMethod)
	}
	names := make([]string, 0, len(params))
	for k, v := range params {
		if k == "sign" || v == "" {
			continue
		}
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		h.Write([]byte(k))
		h.Write([]byte(params[k]))
	}
	if signMethod == SignMD5 {
		h.Write([]byte(secret))
	}
	return strings.ToUpper(hex.EncodeToString(h.Sum(nil))), nil
}
