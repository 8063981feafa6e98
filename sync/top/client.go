// Package top is a small client of the Taobao Open Platform (TOP) gateway: it signs and sends one
// call and classifies the answer. It knows nothing of sales and imports nothing of banksale.
package top

import (
	"compress/gzip"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/net/http/httpproxy"
)

// Defaults of Config. The official Java SDK allows 15 s to connect and 30 s to read; a call cut
// short turns a slow answer into an ambiguous one, which is safe but costs a re-send.
const (
	DefaultConnectTimeout = 10 * time.Second
	DefaultTimeout        = 30 * time.Second
	DefaultSignMethod     = SignHMACSHA256
	// PartnerID is sent as partner_id, as the SDKs send their own name.
	PartnerID = "banksale"
	// maxBody bounds what we read of an answer (after gzip): TOP answers are a few hundred bytes.
	maxBody = 4 << 20
)

// GMT8 is the gateway's clock zone. A fixed zone needs no tzdata and ignores the machine's zone.
var GMT8 = time.FixedZone("GMT+8", 8*60*60)

// TimestampLayout is the format of the timestamp parameter.
const TimestampLayout = "2006-01-02 15:04:05"

// Config configures a Client.
type Config struct {
	URL            string // gateway, e.g. https://gw.api.taobao.com/router/rest
	AppKey         string
	Secret         string
	Session        string        // sent only when set
	SignMethod     string        // md5, hmac or hmac-sha256; "" = hmac-sha256
	ConnectTimeout time.Duration // TCP connect and TLS handshake; 0 = 10s; not applied to a caller's Transport
	Timeout        time.Duration // whole call: connect, send, wait, read; 0 = 30s
	Simplify       bool
	// Proxy is the proxy's URL, with user:password when it wants them; "" takes the environment's
	// (HTTPS_PROXY, HTTP_PROXY). NO_PROXY is honoured either way.
	Proxy string
	// CAFile names PEM certificates trusted besides the system's: the root of a firewall that
	// inspects HTTPS. "" = the system's only.
	CAFile string
	// Answers says which result.err_code values mean a duplicate or "busy, retry".
	Answers   Answers
	Getenv    func(string) string // the environment (NO_PROXY, HTTPS_PROXY…); nil = os.Getenv
	Logger    *slog.Logger
	Now       func() time.Time  // nil = time.Now
	Transport http.RoundTripper // nil = own transport with ConnectTimeout, Proxy and CAFile
}

// Client calls the gateway. It is safe for concurrent use.
type Client struct {
	url        *url.URL
	appKey     string
	session    string
	signMethod string
	simplify   bool
	timeout    time.Duration
	log        *slog.Logger
	now        func() time.Time
	http       *http.Client
	answers    Answers
	secret     atomic.Pointer[string]
}

// Response is a successful answer.
type Response struct {
	RequestID  string
	Body       json.RawMessage // the inner object: what is inside <method>_response, or the whole simplify=true body
	HTTPStatus int
	Latency    time.Duration
}

// New checks cfg and builds a Client.
func New(cfg Config) (*Client, error) {
	u, err := url.Parse(strings.TrimSpace(cfg.URL))
	if err != nil {
		return nil, fmt.Errorf("top: gateway URL: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("top: gateway URL %q: want http(s)://host/path", cfg.URL)
	}
	if strings.TrimSpace(cfg.AppKey) == "" {
		return nil, errors.New("top: app key is empty")
	}
	sm := cfg.SignMethod
	if sm == "" {
		sm = DefaultSignMethod
	}
	if _, err := Sign(nil, "", sm); err != nil {
		return nil, err
	}
	c := &Client{
		answers:    cfg.Answers,
		url:        u,
		appKey:     strings.TrimSpace(cfg.AppKey),
		session:    strings.TrimSpace(cfg.Session),
		signMethod: sm,
		simplify:   cfg.Simplify,
		timeout:    cfg.Timeout,
		log:        cfg.Logger,
		now:        cfg.Now,
	}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.now == nil {
		c.now = time.Now
	}
	rt := cfg.Transport
	if rt == nil {
		if rt, err = newTransport(cfg); err != nil {
			return nil, err
		}
	}
	c.http = &http.Client{
		Transport: rt,
		// A redirect of a POST would silently become a GET without the body; answer it as it is.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	secret := cfg.Secret
	c.secret.Store(&secret)
	return c, nil
}

// newTransport is the client's own transport: the connect timeout, the proxy (the config's, or
// the environment's) and the trusted roots.
func newTransport(cfg Config) (*http.Transport, error) {
	ct := cfg.ConnectTimeout
	if ct <= 0 {
		ct = DefaultConnectTimeout
	}
	getenv := cfg.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	env := func(names ...string) string {
		for _, n := range names {
			if v := getenv(n); v != "" {
				return v
			}
		}
		return ""
	}
	pc := httpproxy.Config{
		HTTPProxy:  env("HTTP_PROXY", "http_proxy"),
		HTTPSProxy: env("HTTPS_PROXY", "https_proxy"),
		NoProxy:    env("NO_PROXY", "no_proxy"),
	}
	if p := strings.TrimSpace(cfg.Proxy); p != "" {
		u, err := url.Parse(p)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "socks5") {
			return nil, fmt.Errorf("top: proxy: want http://[user:password@]host:port")
		}
		pc.HTTPProxy, pc.HTTPSProxy = p, p
	}
	proxyFor := pc.ProxyFunc()
	tlsConf := &tls.Config{MinVersion: tls.VersionTLS12}
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("top: ca_file: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("top: ca_file %s holds no PEM certificate", cfg.CAFile)
		}
		tlsConf.RootCAs = pool
	}
	dialer := &net.Dialer{Timeout: ct, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:                  func(r *http.Request) (*url.URL, error) { return proxyFor(r.URL) },
		OnProxyConnectResponse: proxyConnectResponse,
		DialContext:            dialer.DialContext,
		TLSClientConfig:        tlsConf,
		TLSHandshakeTimeout:    ct,
		MaxIdleConns:           64,
		MaxIdleConnsPerHost:    32,
		IdleConnTimeout:        90 * time.Second,
		ExpectContinueTimeout:  time.Second,
		// We ask for gzip ourselves and decode it ourselves, so the answer's size limit applies
		// to the decoded bytes.
		DisableCompression: true,
		ForceAttemptHTTP2:  true,
	}, nil
}

// errProxyAuth is a proxy's 407 to CONNECT, which net/http would report only as its status text.
var errProxyAuth = errors.New("the proxy wants a user name and password (HTTP 407)")

func proxyConnectResponse(_ context.Context, _ *url.URL, _ *http.Request, resp *http.Response) error {
	if resp.StatusCode == http.StatusProxyAuthRequired {
		return errProxyAuth
	}
	return nil
}

// SetSecret replaces the app secret; calls already signing keep the old one.
func (c *Client) SetSecret(secret string) { c.secret.Store(&secret) }

// systemParams are set by Call; a business parameter must not override them.
var systemParams = map[string]bool{
	"method": true, "app_key": true, "session": true, "timestamp": true, "v": true,
	"sign_method": true, "sign": true, "format": true, "simplify": true, "partner_id": true,
	"target_app_key": true,
}

// Call sends method with params (the business parameters, in the form body) and returns the
// answer. Every failure is an *Error. logAttrs (e.g. order_id, attempt) are added to the log
// records of this call; params are never logged, they may hold card digests.
func (c *Client) Call(ctx context.Context, method string, params map[string]string, logAttrs ...slog.Attr) (*Response, error) {
	start := time.Now()
	resp, e := c.call(ctx, method, params, start)
	latency := time.Since(start)
	attrs := make([]slog.Attr, 0, len(logAttrs)+10)
	attrs = append(attrs, slog.String("method", method))
	attrs = append(attrs, logAttrs...)
	attrs = append(attrs, slog.Duration("latency", latency))
	if e != nil {
		e.Latency = latency
		attrs = append(attrs, slog.String("class", e.Class.String()))
		if e.RequestID != "" {
			attrs = append(attrs, slog.String("request_id", e.RequestID))
		}
		if e.HTTPStatus != 0 {
			attrs = append(attrs, slog.Int("http_status", e.HTTPStatus))
		}
		if e.Code != 0 {
			attrs = append(attrs, slog.Int("code", e.Code))
		}
		if e.Msg != "" {
			attrs = append(attrs, slog.String("msg", e.Msg))
		}
		if e.SubCode != "" {
			attrs = append(attrs, slog.String("sub_code", e.SubCode))
		}
		if e.SubMsg != "" {
			attrs = append(attrs, slog.String("sub_msg", e.SubMsg))
		}
		if e.Ban > 0 {
			attrs = append(attrs, slog.Duration("ban", e.Ban))
		}
		if e.Err != nil {
			attrs = append(attrs, slog.String("err", e.Err.Error()))
		}
		// Debug: the caller logs what the failure means, once (the uploader does not log every
		// failed probe while head office cannot be reached).
		c.log.LogAttrs(ctx, slog.LevelDebug, "top call failed", attrs...)
		return nil, e
	}
	resp.Latency = latency
	attrs = append(attrs, slog.String("request_id", resp.RequestID), slog.Int("http_status", resp.HTTPStatus))
	c.log.LogAttrs(ctx, slog.LevelDebug, "top call", attrs...)
	return resp, nil
}

func (c *Client) call(ctx context.Context, method string, params map[string]string, start time.Time) (*Response, *Error) {
	if strings.TrimSpace(method) == "" {
		return nil, &Error{Class: ClassProgramming, Msg: "empty method"}
	}
	sys := map[string]string{
		"method":      method,
		"app_key":     c.appKey,
		"timestamp":   c.now().In(GMT8).Format(TimestampLayout),
		"v":           "2.0",
		"sign_method": c.signMethod,
		"format":      "json",
		"partner_id":  PartnerID,
	}
	if c.session != "" {
		sys["session"] = c.session
	}
	if c.simplify {
		sys["simplify"] = "true"
	}
	all := make(map[string]string, len(sys)+len(params))
	form := url.Values{}
	for k, v := range params {
		if v == "" {
			continue // never sent, never signed
		}
		if systemParams[k] {
			return nil, &Error{Class: ClassProgramming, Msg: fmt.Sprintf("business parameter %q clashes with a system parameter", k)}
		}
		form.Set(k, v)
		all[k] = v
	}
	// Parameters written into the configured URL are sent too, so the gateway signs them: sign them.
	q := c.url.Query()
	for k, vs := range q {
		if len(vs) > 0 && vs[0] != "" && !systemParams[k] {
			if _, dup := all[k]; dup {
				return nil, &Error{Class: ClassProgramming, Msg: fmt.Sprintf("parameter %q both in the gateway URL and the call", k)}
			}
			all[k] = vs[0]
		}
	}
	for k, v := range sys {
		all[k] = v
		q.Set(k, v)
	}
	sign, err := Sign(all, *c.secret.Load(), c.signMethod)
	if err != nil {
		return nil, &Error{Class: ClassConfiguration, Msg: "sign", Err: err}
	}
	q.Set("sign", sign)
	u := *c.url
	u.RawQuery = q.Encode()

	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()

	// Whether the request reached the wire decides between "nothing happened" (transient) and
	// "the gateway may have processed it" (ambiguous).
	var wrote atomic.Bool
	trace := &httptrace.ClientTrace{
		WroteHeaders: func() { wrote.Store(true) },
	}
	ctx = httptrace.WithClientTrace(ctx, trace)
	body := form.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), strings.NewReader(body))
	if err != nil {
		return nil, &Error{Class: ClassConfiguration, Msg: "build request", Err: stripURL(err)}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded;charset=UTF-8")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Accept-Encoding", "gzip")
	req.Header.Set("User-Agent", "banksale-top/1")

	hr, err := c.http.Do(req)
	if err != nil {
		return nil, transportError(err, wrote.Load(), 0)
	}
	defer hr.Body.Close()
	raw, err := readBody(hr)
	if err != nil {
		// The gateway answered (headers) but the body broke: it has seen the request.
		return nil, transportError(err, true, hr.StatusCode)
	}
	resp, e := c.answers.parseResponse(method, hr.StatusCode, hr.Header.Get("Content-Type"), raw)
	if e != nil {
		return nil, e
	}
	return resp, nil
}

func readBody(hr *http.Response) ([]byte, error) {
	var r io.Reader = hr.Body
	if strings.EqualFold(strings.TrimSpace(hr.Header.Get("Content-Encoding")), "gzip") {
		zr, err := gzip.NewReader(hr.Body)
		if err != nil {
			return nil, fmt.Errorf("gzip answer: %w", err)
		}
		defer zr.Close()
		r = zr
	}
	b, err := io.ReadAll(io.LimitReader(r, maxBody+1))
	if err != nil {
		return nil, fmt.Errorf("read answer: %w", err)
	}
	if len(b) > maxBody {
		return nil, fmt.Errorf("answer larger than %d bytes", maxBody)
	}
	return b, nil
}

// The words of a transport error: the request never left, or no whole answer came after it did.
const (
	MsgNotSent  = "request not sent"
	MsgNoAnswer = "no complete answer after the request was sent"
)

// transportError classifies a failure to get a whole answer: after the request was written the
// gateway may have it (ambiguous); before, what stopped it decides the row.
func transportError(err error, written bool, status int) *Error {
	err = stripURL(err)
	k := transportKind(err, written)
	e := errorOf(k, status)
	e.Err = err
	if k == KindNoAnswer {
		e.Msg = MsgNoAnswer
	} else {
		e.Msg = MsgNotSent
	}
	return e
}

func transportKind(err error, written bool) Kind {
	var cv *tls.CertificateVerificationError
	var ua x509.UnknownAuthorityError
	var he x509.HostnameError
	var ci x509.CertificateInvalidError
	var dns *net.DNSError
	var op *net.OpError
	switch {
	case errors.As(err, &cv), errors.As(err, &ua), errors.As(err, &he), errors.As(err, &ci):
		return KindCertificate
	case errors.Is(err, errProxyAuth):
		return KindProxyAuth
	case written:
		return KindNoAnswer
	case errors.As(err, &dns):
		return KindNoName
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH),
		errors.Is(err, syscall.ENETDOWN), errors.As(err, &op) && op.Op == "dial":
		return KindNetworkDown
	}
	return KindNotSent
}

// stripURL drops *url.Error's URL from the message: the query holds the session and the sign,
// which must not reach logs or the screen.
func stripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}
