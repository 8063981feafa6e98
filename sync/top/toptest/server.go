// Package toptest is a fake TOP gateway for alibaba.mos.oc.trade.syncbanksale on loopback, in the
// style of net/http/httptest. Tests and the program's --demo mode use it: it checks what a real
// gateway checks (signature, clock, app key, session, the DTO's field table), keeps order_id
// idempotency, records what it received and injects the faults a real network and gateway produce.
package toptest

import (
	"bytes"
	"compress/gzip"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"banksale/sync/top"
)

// DefaultMethod is the one API this gateway serves unless Options.Method says otherwise.
const DefaultMethod = "alibaba.mos.oc.trade.syncbanksale"

// DTOParam is the business parameter carrying the sale.
const DTOParam = "pos_bank_sale_info_dto"

// Options configures a Server.
type Options struct {
	AppKey, Secret, Session string // Session "" = not required
	Method                  string // default DefaultMethod
	Seed                    int64
	FaultRate               float64     // chance of a random fault per request (0 = none)
	Mix                     []FaultKind // kinds drawn from at random (default: all but ISV)
	RejectOrders            map[string]bool
	Script                  func(n int, orderID string) Fault // decides the fault of request n (1-based); overrides chance; called one at a time
	BanSeconds              int                               // length of a random ban (default 2)
	SlowDelay               time.Duration                     // how long a Slow fault stalls (default 3s)
	ExistsAnswer            bool                              // identical re-send → error sub_code isv.order-id-exists
	// ChineseDuplicates answers any re-sent order_id the gateway holds — the same sale or another
	// one — as a real gateway may: result.success=false, a numeric err_code 1001 and err_msg
	// 订单号已存在. It wins over ExistsAnswer.
	ChineseDuplicates bool
	// Refuse, when set, judges each order's content as head office would: words it returns
	// refuse the order with code 15 isv.invalid-parameter and those words as sub_msg (the order
	// is not recorded); "" lets it through. Resending it unchanged is refused again.
	Refuse func(dto []byte) string
	// Addr is where to listen ("" = a free port on 127.0.0.1): a test that starts the gateway
	// where a client already knocks at a closed port uses it.
	Addr string
	// TLS serves HTTPS with a certificate of the server's own, which no system trusts
	// (Certificate gives it, for a client's roots).
	TLS    bool
	Logger *slog.Logger
}

// FaultKind is an injected failure.
type FaultKind int

const (
	FaultNone        FaultKind = iota
	FaultBan                   // code 7 with "This ban will last for N more seconds"; then enforced
	FaultISP                   // code 15 isp.top-remote-service-unavailable, not recorded
	FaultISV                   // code 15 isv.invalid-parameter, not recorded
	FaultHTTP503               // HTTP 503 with a plain body, not recorded
	FaultResetBefore           // connection closed without an answer, not recorded
	FaultResetAfter            // order recorded, then the connection closed without an answer
	FaultSlow                  // order recorded, then the answer stalls SlowDelay (the client times out)
	FaultMalformed             // order recorded, then HTTP 200 with a body that is not the expected JSON
	FaultNoSuccess             // the method's answer with a result that lacks success (系统异常); not recorded
	FaultBusy                  // result.success=false, err_msg 系统繁忙，请稍后重试; not recorded
	FaultRow                   // the example answer of catalogue row Fault.Row; not recorded
)

var faultNames = [...]string{"none", "ban", "isp", "isv", "http503", "reset-before", "reset-after", "slow", "malformed",
	"no-success", "busy", "row"}

func (k FaultKind) String() string {
	if k >= 0 && int(k) < len(faultNames) {
		return faultNames[k]
	}
	return fmt.Sprintf("fault(%d)", int(k))
}

// AllFaults lists every fault kind but FaultRow, which needs its row.
var AllFaults = []FaultKind{FaultBan, FaultISP, FaultISV, FaultHTTP503, FaultResetBefore, FaultResetAfter, FaultSlow, FaultMalformed,
	FaultNoSuccess, FaultBusy}

// DefaultMix is every fault but ISV: an isv error is a permanent refusal of one order, which
// a random fault should not turn a good order into.
var DefaultMix = []FaultKind{FaultBan, FaultISP, FaultHTTP503, FaultResetBefore, FaultResetAfter, FaultSlow, FaultMalformed,
	FaultNoSuccess, FaultBusy}

// Fault is the fault of one request. BanSeconds overrides Options.BanSeconds for FaultBan; Row
// names the catalogue row a FaultRow answers with.
type Fault struct {
	Kind       FaultKind
	BanSeconds int
	Row        top.Kind
}

// Request is what the server saw of one request and what it did.
type Request struct {
	N        int
	At       time.Time
	OrderID  string
	Payload  []byte // the DTO as received
	Fault    FaultKind
	Recorded bool   // the gateway holds this payload under OrderID after this request
	Answer   string // "ok","error:<code>/<sub_code>","reset","503","malformed","slow"
}

// Server is a running fake gateway.
type Server struct {
	opts Options
	url  string
	ln   net.Listener
	srv  *http.Server
	log  *slog.Logger
	done chan struct{}
	wg   sync.WaitGroup

	scriptMu sync.Mutex

	tls *httptest.Server // with Options.TLS

	mu        sync.Mutex
	closed    bool
	secret    string
	rng       *rand.Rand
	n         int
	orders    map[string][]byte
	reqs      []Request
	conflicts int
	duringBan int
	banUntil  time.Time
	// banFrom is when the ban's first answer left the server; zero while it has not yet. Requests
	// that were already on their way when the ban began cannot have known of it: they are
	// answered code 7 but not counted in duringBan.
	banFrom time.Time
}

// NewServer starts a gateway listening on 127.0.0.1 at a free port. It panics when it cannot
// listen, as httptest.NewServer does.
func NewServer(opts Options) *Server {
	if opts.Method == "" {
		opts.Method = DefaultMethod
	}
	if opts.Mix == nil {
		opts.Mix = DefaultMix
	}
	if opts.BanSeconds <= 0 {
		opts.BanSeconds = 2
	}
	if opts.SlowDelay <= 0 {
		opts.SlowDelay = 3 * time.Second
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	addr := opts.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		panic(fmt.Sprintf("toptest: listen on %s: %v", addr, err))
	}
	seed := uint64(opts.Seed)
	s := &Server{
		opts:   opts,
		ln:     ln,
		url:    "http://" + ln.Addr().String() + "/router/rest",
		log:    log,
		done:   make(chan struct{}),
		secret: opts.Secret,
		rng:    rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		orders: make(map[string][]byte),
	}
	if opts.TLS {
		s.tls = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
		s.tls.Listener.Close()
		s.tls.Listener = ln
		s.tls.Config.ErrorLog = slog.NewLogLogger(log.Handler(), slog.LevelDebug)
		s.tls.StartTLS()
		s.url = s.tls.URL + "/router/rest"
		return s
	}
	s.srv = &http.Server{
		Handler:           http.HandlerFunc(s.serve),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelDebug),
	}
	go func() { _ = s.srv.Serve(ln) }()
	return s
}

// Certificate is the certificate of a TLS server (nil without Options.TLS).
func (s *Server) Certificate() *x509.Certificate {
	if s.tls == nil {
		return nil
	}
	return s.tls.Certificate()
}

// URL is the gateway's address, e.g. http://127.0.0.1:43127/router/rest.
func (s *Server) URL() string { return s.url }

// Close stops the server: stalled answers end at once, connections are closed, and Close returns
// when every handler has returned.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	close(s.done)
	s.mu.Unlock()
	if s.tls != nil {
		s.tls.CloseClientConnections()
		s.tls.Close()
	} else {
		_ = s.srv.Close()
	}
	s.wg.Wait()
}

// SetSecret changes the secret signatures are checked with (a configuration test's "fix").
func (s *Server) SetSecret(secret string) {
	s.mu.Lock()
	s.secret = secret
	s.mu.Unlock()
}

// Orders returns a copy of the recorded payloads by order_id.
func (s *Server) Orders() map[string][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := make(map[string][]byte, len(s.orders))
	for k, v := range s.orders {
		m[k] = bytes.Clone(v)
	}
	return m
}

// Requests returns a copy of every request seen, in arrival order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.reqs))
	copy(out, s.reqs)
	// Requests are appended when answered; a stalled one finishes after later ones.
	slices.SortFunc(out, func(a, b Request) int { return a.N - b.N })
	for i := range out {
		out[i].Payload = bytes.Clone(out[i].Payload)
	}
	return out
}

// Conflicts counts requests whose order_id was already recorded with a different payload.
func (s *Server) Conflicts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conflicts
}

// RequestsDuringBan counts requests that arrived while a ban the server announced was running:
// after the banning answer was sent and before the ban ended. Requests already in flight when
// the ban began are refused with code 7 too, but not counted, since no client could have known.
func (s *Server) RequestsDuringBan() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.duringBan
}

// topError is one error_response.
type topError struct {
	code             int
	msg, sub, subMsg string
}

var (
	errMissingMethod  = topError{21, "Missing Method", "", ""}
	errInvalidMethod  = topError{22, "Invalid Method", "", ""}
	errInvalidFormat  = topError{23, "Invalid Format", "", ""}
	errMissingSign    = topError{24, "Missing Signature", "", ""}
	errInvalidSign    = topError{25, "Invalid Signature", "", ""}
	errMissingSession = topError{26, "Missing Session", "", ""}
	errInvalidSession = topError{27, "Invalid Session", "", ""}
	errMissingAppKey  = topError{28, "Missing App Key", "", ""}
	errInvalidAppKey  = topError{29, "Invalid App Key", "", ""}
	errMissingTS      = topError{30, "Missing Timestamp", "", ""}
	errInvalidTS      = topError{31, "Invalid Timestamp", "", ""}
	errMissingVersion = topError{32, "Missing Version", "", ""}
	errInvalidVersion = topError{33, "Invalid Version", "", ""}
	errHTTPAction     = topError{9, "Http Action Not Allowed", "", ""}
	errISP            = topError{15, "Remote service error", "isp.top-remote-service-unavailable", "后端服务不可用"}
	errISVRandom      = topError{15, "Remote service error", "isv.invalid-parameter", "非法参数"}
)

func banError(seconds int) topError {
	return topError{7, "App Call Limited", "accesscontrol.limited-by-app-access-count",
		fmt.Sprintf("This ban will last for %d more seconds", seconds)}
}

func invalidParam(field string) topError {
	return topError{15, "Remote service error", "isv.invalid-parameter", "非法参数: " + field}
}

// clockWindow is how far a request's timestamp may be from the gateway's clock.
const clockWindow = 10 * time.Minute

// maxRequestBody bounds a request's form body.
const maxRequestBody = 1 << 20

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		hijackClose(w)
		return
	}
	s.wg.Add(1)
	s.n++
	n := s.n
	// Drawn with n under one lock: request n's chance fault depends only on the seed and n, even
	// when requests race.
	drawn := FaultNone
	if s.opts.Script == nil && s.opts.FaultRate > 0 && len(s.opts.Mix) > 0 {
		if s.rng.Float64() < s.opts.FaultRate {
			drawn = s.opts.Mix[s.rng.IntN(len(s.opts.Mix))]
		}
	}
	s.mu.Unlock()
	defer s.wg.Done()

	at := time.Now()
	rec := Request{N: n, At: at}
	q := r.URL.Query()
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxRequestBody))
	form, _ := url.ParseQuery(string(body))
	dto := form.Get(DTOParam)
	rec.OrderID = peekOrderID(dto)
	if dto != "" {
		rec.Payload = []byte(dto)
	}

	fault := Fault{Kind: drawn}
	if s.opts.Script != nil {
		// Outside s.mu, so a Script may look at the server (Orders, Requests); one at a time, so
		// a Script with a counter in its closure needs no lock of its own.
		s.scriptMu.Lock()
		fault = s.opts.Script(n, rec.OrderID)
		s.scriptMu.Unlock()
	}
	s.mu.Lock()
	banLeft := s.banUntil.Sub(at)
	if banLeft > 0 && !s.banFrom.IsZero() && !at.Before(s.banFrom) {
		s.duringBan++
	}
	secret := s.secret
	s.mu.Unlock()

	finish := func(answer string) {
		rec.Answer = answer
		s.mu.Lock()
		s.reqs = append(s.reqs, rec)
		s.mu.Unlock()
		s.log.LogAttrs(r.Context(), slog.LevelDebug, "toptest request",
			slog.Int("n", n), slog.String("order_id", rec.OrderID),
			slog.String("fault", rec.Fault.String()), slog.String("answer", answer))
	}
	fail := func(e topError) { s.writeError(w, r, n, e); finish(fmt.Sprintf("error:%d/%s", e.code, e.sub)) }

	// A running ban answers everything, as the real gateway's call limiter does.
	if banLeft > 0 {
		fail(banError(int(math.Ceil(banLeft.Seconds()))))
		return
	}
	// Then the faults of the network in front of the gateway.
	switch fault.Kind {
	case FaultResetBefore:
		rec.Fault = fault.Kind
		hijackClose(w)
		finish("reset")
		return
	case FaultHTTP503:
		rec.Fault = fault.Kind
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(w, "<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>")
		finish("503")
		return
	case FaultRow:
		rec.Fault = fault.Kind
		ex := top.RowOf(fault.Row).Example
		if ex.Status == 0 {
			hijackClose(w) // a row that is no answer: the closest this server can do is none
			finish("reset")
			return
		}
		w.Header().Set("Content-Type", ex.ContentType)
		w.WriteHeader(ex.Status)
		_, _ = io.WriteString(w, ex.Body)
		finish("row:" + string(fault.Row))
		return
	}
	if r.Method != http.MethodPost {
		fail(errHTTPAction)
		return
	}
	if e, ok := s.checkSystem(q, form, secret, at); !ok {
		fail(e)
		return
	}
	switch fault.Kind {
	case FaultBan:
		rec.Fault = fault.Kind
		secs := fault.BanSeconds
		if secs <= 0 {
			secs = s.opts.BanSeconds
		}
		s.mu.Lock()
		if until := at.Add(time.Duration(secs) * time.Second); until.After(s.banUntil) {
			s.banUntil, s.banFrom = until, time.Time{}
		}
		s.mu.Unlock()
		fail(banError(secs))
		// The ban counts as announced once its answer is on the wire, not when it is buffered.
		_ = http.NewResponseController(w).Flush()
		s.mu.Lock()
		if s.banFrom.IsZero() {
			s.banFrom = time.Now()
		}
		s.mu.Unlock()
		return
	case FaultISP:
		rec.Fault = fault.Kind
		fail(errISP)
		return
	case FaultBusy:
		rec.Fault = fault.Kind
		s.writeResult(w, r, n, false, 500, "系统繁忙，请稍后重试")
		finish("busy")
		return
	case FaultNoSuccess:
		// A system exception without success: the gateway did not take the order. Counting this
		// answer as a success once lost such sales.
		rec.Fault = fault.Kind
		writeJSON(w, r, map[string]any{top.ResponseKey(s.opts.Method): map[string]any{
			"result": map[string]any{"err_code": 500, "err_msg": "系统异常"}, "request_id": s.requestID(n)}})
		finish("no-success")
		return
	}
	if dto == "" {
		fail(topError{40, "Missing Required Arguments", "isv.missing-parameter", "缺少参数: " + DTOParam})
		return
	}
	orderID, derr := checkDTO(dto)
	if derr != nil {
		fail(invalidParam(derr.field))
		return
	}
	if s.opts.RejectOrders[orderID] {
		fail(invalidParam("order_id"))
		return
	}
	if s.opts.Refuse != nil {
		if words := s.opts.Refuse([]byte(dto)); words != "" {
			fail(topError{15, "Remote service error", "isv.invalid-parameter", words})
			return
		}
	}
	if fault.Kind == FaultISV {
		rec.Fault = fault.Kind
		fail(errISVRandom)
		return
	}

	s.mu.Lock()
	prev, exists := s.orders[orderID]
	switch {
	case exists && !bytes.Equal(prev, rec.Payload):
		s.conflicts++
		s.mu.Unlock()
		if s.opts.ChineseDuplicates {
			s.writeResult(w, r, n, false, 1001, "订单号已存在")
			finish("duplicate-conflict")
			return
		}
		fail(topError{15, "Remote service error", "isv.order-id-conflict", "订单号已被其他数据占用: " + orderID})
		return
	case !exists:
		s.orders[orderID] = bytes.Clone(rec.Payload)
	}
	s.mu.Unlock()
	rec.Recorded = true

	if exists && s.opts.ChineseDuplicates {
		s.writeResult(w, r, n, false, 1001, "订单号已存在")
		finish("duplicate")
		return
	}
	if exists && s.opts.ExistsAnswer {
		fail(topError{15, "Remote service error", "isv.order-id-exists", "订单已存在: " + orderID})
		return
	}
	simplify := q.Get("simplify") == "true"
	switch fault.Kind {
	case FaultResetAfter:
		rec.Fault = fault.Kind
		hijackClose(w)
		finish("reset")
		return
	case FaultSlow:
		rec.Fault = fault.Kind
		t := time.NewTimer(s.opts.SlowDelay)
		select {
		case <-t.C:
		case <-r.Context().Done():
		case <-s.done:
		}
		t.Stop()
		s.writeSuccess(w, r, n, simplify)
		finish("slow")
		return
	case FaultMalformed:
		rec.Fault = fault.Kind
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, `{"`+top.ResponseKey(s.opts.Method)+`":{"result":{"success":tr`)
		finish("malformed")
		return
	}
	s.writeSuccess(w, r, n, simplify)
	finish("ok")
}

// checkSystem checks the system parameters as the gateway does, in its order.
func (s *Server) checkSystem(q, form url.Values, secret string, now time.Time) (topError, bool) {
	switch m := q.Get("method"); {
	case m == "":
		return errMissingMethod, false
	case m != s.opts.Method:
		return errInvalidMethod, false
	}
	switch v := q.Get("v"); {
	case v == "":
		return errMissingVersion, false
	case v != "2.0":
		return errInvalidVersion, false
	}
	if q.Get("format") != "json" {
		// The real default is xml, which this fake does not speak.
		return errInvalidFormat, false
	}
	switch k := q.Get("app_key"); {
	case k == "":
		return errMissingAppKey, false
	case k != s.opts.AppKey:
		return errInvalidAppKey, false
	}
	ts := q.Get("timestamp")
	if ts == "" {
		return errMissingTS, false
	}
	t, err := time.ParseInLocation(timeLayout, ts, cst)
	if err != nil || t.Sub(now).Abs() > clockWindow {
		return errInvalidTS, false
	}
	sign := q.Get("sign")
	if sign == "" {
		return errMissingSign, false
	}
	all := make(map[string]string, len(q)+len(form))
	for k, v := range q {
		if len(v) > 0 {
			all[k] = v[0]
		}
	}
	for k, v := range form {
		if len(v) > 0 {
			all[k] = v[0]
		}
	}
	method := q.Get("sign_method")
	if method == "" {
		method = top.SignMD5
	}
	want, err := top.Sign(all, secret, method)
	if err != nil || !strings.EqualFold(want, sign) {
		return errInvalidSign, false
	}
	if s.opts.Session != "" {
		switch sess := q.Get("session"); {
		case sess == "":
			return errMissingSession, false
		case sess != s.opts.Session:
			return errInvalidSession, false
		}
	}
	return topError{}, true
}

func (s *Server) requestID(n int) string {
	return fmt.Sprintf("tt%x%06d", uint32(s.opts.Seed), n)
}

func (s *Server) writeError(w http.ResponseWriter, r *http.Request, n int, e topError) {
	body := map[string]any{"error_response": map[string]any{
		"code": e.code, "msg": e.msg, "request_id": s.requestID(n),
	}}
	inner := body["error_response"].(map[string]any)
	if e.sub != "" {
		inner["sub_code"] = e.sub
	}
	if e.subMsg != "" {
		inner["sub_msg"] = e.subMsg
	}
	writeJSON(w, r, body)
}

func (s *Server) writeSuccess(w http.ResponseWriter, r *http.Request, n int, simplify bool) {
	inner := map[string]any{
		"result":     map[string]any{"success": true},
		"request_id": s.requestID(n),
	}
	if simplify {
		writeJSON(w, r, inner)
		return
	}
	writeJSON(w, r, map[string]any{top.ResponseKey(s.opts.Method): inner})
}

// writeResult answers the method's result with success and, when it failed, err_code (a number,
// as the API's metadata types it) and err_msg.
func (s *Server) writeResult(w http.ResponseWriter, r *http.Request, n int, success bool, code int, msg string) {
	res := map[string]any{"success": success}
	if !success {
		res["err_code"], res["err_msg"] = code, msg
	}
	writeJSON(w, r, map[string]any{top.ResponseKey(s.opts.Method): map[string]any{"result": res, "request_id": s.requestID(n)}})
}

// gzipWriters are reused: a gzip.Writer's compressor state is far bigger than any answer, and
// the uploader's benchmarks push thousands of answers a second through this server.
var gzipWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed)
	return zw
}}

// writeJSON answers 200 with v, gzipped when the client accepts it (as the real gateway does).
func writeJSON(w http.ResponseWriter, r *http.Request, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	if strings.Contains(strings.ToLower(r.Header.Get("Accept-Encoding")), "gzip") {
		var buf bytes.Buffer
		zw := gzipWriters.Get().(*gzip.Writer)
		zw.Reset(&buf)
		_, _ = zw.Write(b)
		_ = zw.Close()
		gzipWriters.Put(zw)
		w.Header().Set("Content-Encoding", "gzip")
		b = buf.Bytes()
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

// hijackClose drops the connection without an answer; linger 0 makes it a reset (RST), as a
// crashed gateway or a middlebox produces.
func hijackClose(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}
