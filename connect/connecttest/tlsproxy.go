package connecttest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// TLSProxy is a TLS front for a Spark Connect server, the way a Databricks
// workspace fronts its clusters: on one https port it checks each gRPC
// call's bearer token and required headers and forwards the call, as raw
// bytes in both directions, to a backend (the fake, or a real server), so
// every RPC works unchanged; other HTTP requests (the REST API) go to an
// http.Handler. Its certificate comes from a CA made for the test: trust it
// with RootCAs.
type TLSProxy struct {
	opt  TLSProxyOptions
	addr string
	ca   *x509.CertPool

	mu        sync.Mutex
	forwarded map[string]int // by method name, e.g. "ExecutePlan"
	rejected  int
	headers   []metadata.MD // the metadata of every call forwarded
}

// TLSProxyOptions say what a TLSProxy demands and serves.
type TLSProxyOptions struct {
	// Token, when set, must arrive as "authorization: Bearer <Token>", else
	// the call fails with UNAUTHENTICATED. The header is not forwarded.
	Token string
	// RequireHeaders must all arrive with these values (x-databricks-cluster-id),
	// else PERMISSION_DENIED.
	RequireHeaders map[string]string
	// HTTP answers the requests that are not gRPC; 404 when nil.
	HTTP http.Handler
}

// NewTLSProxy starts a proxy on 127.0.0.1 in front of backend (see
// BackendConn); t.Cleanup stops it.
func NewTLSProxy(t testing.TB, backend *grpc.ClientConn, opt TLSProxyOptions) *TLSProxy {
	t.Helper()
	cert, pool, err := selfSigned()
	if err != nil {
		t.Fatalf("connecttest: certificate: %v", err)
	}
	p := &TLSProxy{opt: opt, ca: pool, forwarded: map[string]int{}}
	g := grpc.NewServer(
		grpc.UnknownServiceHandler(func(_ any, ss grpc.ServerStream) error { return p.forward(backend, ss) }),
		grpc.ForceServerCodec(rawCodec{}),
		grpc.MaxRecvMsgSize(1<<30),
	)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("connecttest: listen: %v", err)
	}
	p.addr = lis.Addr().String()
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.ProtoMajor == 2 && strings.HasPrefix(r.Header.Get("Content-Type"), "application/grpc") {
				g.ServeHTTP(w, r)
				return
			}
			if opt.HTTP == nil {
				http.NotFound(w, r)
				return
			}
			opt.HTTP.ServeHTTP(w, r)
		}),
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"h2", "http/1.1"}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0), // handshakes cut by a test's end
	}
	go srv.ServeTLS(lis, "", "")
	t.Cleanup(func() {
		g.Stop()
		srv.Close()
	})
	return p
}

// BackendConn connects to a plain-text Spark Connect server for a proxy:
// target is host:port, or any name with dialer (Server.Dialer for the fake).
func BackendConn(t testing.TB, target string, dialer func(context.Context, string) (net.Conn, error)) *grpc.ClientConn {
	t.Helper()
	opts := []grpc.DialOption{
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(1<<30), grpc.MaxCallSendMsgSize(1<<30)),
	}
	if dialer != nil {
		opts = append(opts, grpc.WithContextDialer(dialer))
		target = "passthrough:///" + target
	}
	cc, err := grpc.NewClient(target, opts...)
	if err != nil {
		t.Fatalf("connecttest: backend %s: %v", target, err)
	}
	t.Cleanup(func() { cc.Close() })
	return cc
}

// Addr is the proxy's 127.0.0.1:port.
func (p *TLSProxy) Addr() string { return p.addr }

// RootCAs trusts the proxy's certificate (valid for 127.0.0.1, ::1 and localhost).
func (p *TLSProxy) RootCAs() *x509.CertPool { return p.ca }

// Forwarded counts the calls of a method ("ExecutePlan"; "" for all) that
// passed the checks and went to the backend.
func (p *TLSProxy) Forwarded(method string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if method != "" {
		return p.forwarded[method]
	}
	n := 0
	for _, c := range p.forwarded {
		n += c
	}
	return n
}

// Rejected counts the calls refused for their token or headers.
func (p *TLSProxy) Rejected() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.rejected
}

// Headers returns the incoming metadata of every forwarded call, in order.
func (p *TLSProxy) Headers() []metadata.MD {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]metadata.MD, len(p.headers))
	for i, md := range p.headers {
		out[i] = md.Copy()
	}
	return out
}

func (p *TLSProxy) check(md metadata.MD) error {
	if p.opt.Token != "" {
		if got := md.Get("authorization"); len(got) != 1 || got[0] != "Bearer "+p.opt.Token {
			return status.Error(codes.Unauthenticated, "invalid or missing bearer token")
		}
	}
	for k, v := range p.opt.RequireHeaders {
		if got := md.Get(k); len(got) != 1 || got[0] != v {
			return status.Errorf(codes.PermissionDenied, "missing or wrong %s header", k)
		}
	}
	return nil
}

// forward relays one call of any method to the backend: client messages up,
// the backend's header, messages, trailer and status (with its details) down.
func (p *TLSProxy) forward(backend *grpc.ClientConn, ss grpc.ServerStream) error {
	full, ok := grpc.MethodFromServerStream(ss)
	if !ok {
		return status.Error(codes.Internal, "connecttest: no method")
	}
	in, _ := metadata.FromIncomingContext(ss.Context())
	if err := p.check(in); err != nil {
		p.mu.Lock()
		p.rejected++
		p.mu.Unlock()
		return err
	}
	p.mu.Lock()
	p.forwarded[full[strings.LastIndex(full, "/")+1:]]++
	p.headers = append(p.headers, in.Copy())
	p.mu.Unlock()

	out := metadata.MD{}
	for k, v := range in {
		switch {
		case strings.HasPrefix(k, ":"), k == "authorization", k == "content-type", k == "user-agent", k == "te", strings.HasPrefix(k, "grpc-"):
		default:
			out[k] = v
		}
	}
	ctx, cancel := context.WithCancel(metadata.NewOutgoingContext(ss.Context(), out))
	defer cancel()
	cs, err := backend.NewStream(ctx, &grpc.StreamDesc{ServerStreams: true, ClientStreams: true}, full, grpc.ForceCodec(rawCodec{}))
	if err != nil {
		return err
	}
	go func() { // client → backend
		for {
			var m []byte
			if err := ss.RecvMsg(&m); err != nil {
				if errors.Is(err, io.EOF) {
					cs.CloseSend()
				} else {
					cancel()
				}
				return
			}
			if err := cs.SendMsg(&m); err != nil {
				return // the backend ended the call: its status comes from RecvMsg
			}
		}
	}()
	if hdr, err := cs.Header(); err == nil && len(hdr) > 0 {
		if err := ss.SendHeader(hdr); err != nil {
			return err
		}
	}
	for { // backend → client
		var m []byte
		if err := cs.RecvMsg(&m); err != nil {
			ss.SetTrailer(cs.Trailer())
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		if err := ss.SendMsg(&m); err != nil {
			return err
		}
	}
}

// rawCodec passes messages through as bytes.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) {
	b, ok := v.(*[]byte)
	if !ok {
		return nil, status.Errorf(codes.Internal, "connecttest: raw codec got %T", v)
	}
	return *b, nil
}

func (rawCodec) Unmarshal(data []byte, v any) error {
	b, ok := v.(*[]byte)
	if !ok {
		return status.Errorf(codes.Internal, "connecttest: raw codec got %T", v)
	}
	*b = append([]byte(nil), data...)
	return nil
}

// Name is "proto": the content subtype both ends expect.
func (rawCodec) Name() string { return "proto" }

// selfSigned makes a CA and a server certificate it signed for loopback.
func selfSigned() (tls.Certificate, *x509.CertPool, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "connecttest CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:     []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	return tls.Certificate{Certificate: [][]byte{der, caDER}, PrivateKey: key}, pool, nil
}
