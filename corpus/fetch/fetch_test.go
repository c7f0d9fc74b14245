package fetch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"visitbot/corpus"
)

const page = `<!DOCTYPE html><html><head><title>Harbour reopens</title></head><body><article>
<h1>Harbour reopens</h1>
<p>The harbour reopened to fishing boats on Monday after the storm damage was repaired, the port authority said.</p>
<p>Boats had been kept in port for three weeks while divers checked the sea wall.</p>
</article></body></html>`

// fakeResolver answers from a map and never asks real DNS.
type fakeResolver map[string][]string

func (r fakeResolver) LookupIPAddr(_ context.Context, host string) ([]net.IPAddr, error) {
	ips, ok := r[host]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	var out []net.IPAddr
	for _, s := range ips {
		out = append(out, net.IPAddr{IP: net.ParseIP(s)})
	}
	return out, nil
}

// server serves the routes on loopback and counts the requests it gets.
type server struct {
	*httptest.Server
	hits atomic.Int64
}

func newServer(t *testing.T, h http.Handler) *server {
	t.Helper()
	s := &server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *server) addrPort(t *testing.T) netip.AddrPort {
	t.Helper()
	u, err := url.Parse(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	ap, err := netip.ParseAddrPort(u.Host)
	if err != nil {
		t.Fatal(err)
	}
	return ap
}

func (s *server) port() string { u, _ := url.Parse(s.URL); return u.Port() }

func htmlPage(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprint(w, page)
}

func TestFetchReturnsThePageItsFinalURLAndType(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/story", htmlPage)
	mux.Handle("/old", http.RedirectHandler("/story", http.StatusMovedPermanently))
	srv := newServer(t, mux)
	c := &Client{AllowPrivate: true}
	body, final, mt, err := c.Fetch(context.Background(), srv.URL+"/old")
	if err != nil {
		t.Fatalf("Fetch = %v", err)
	}
	if string(body) != page || final != srv.URL+"/story" || mt != "text/html" {
		t.Errorf("Fetch = %d bytes, %q, %q; want the page, %q, text/html", len(body), final, mt, srv.URL+"/story")
	}
	doc, err := corpus.Load(final, body, corpus.Meta{URL: final})
	if err != nil {
		t.Fatalf("Load(fetched page) = %v", err)
	}
	if doc.URL != final || len(doc.Passages) == 0 {
		t.Errorf("Load(fetched page) = URL %q, %d passages", doc.URL, len(doc.Passages))
	}
}

func TestFetchRefusesAddressesInsideThisServersNetwork(t *testing.T) {
	target := newServer(t, http.HandlerFunc(htmlPage))
	port := target.port()
	resolver := fakeResolver{"evil.test": {"127.0.0.1"}, "metadata.test": {"169.254.169.254"}, "mixed.test": {"10.1.2.3", "fd00::1"}}
	// A trusted first hop on loopback that redirects to its query's "to".
	hop := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Query().Get("to"), http.StatusFound)
	}))
	via := func(to string) string { return hop.URL + "/?to=" + url.QueryEscape(to) }

	tests := []struct {
		name, url string
	}{
		{"loopback", target.URL + "/"},
		{"loopback by another spelling", "http://127.1.2.3:" + port + "/"},
		{"private 10/8", "http://10.0.0.1/"},
		{"private 192.168/16", "http://192.168.1.1/"},
		{"cloud metadata", "http://169.254.169.254/latest/meta-data/"},
		{"IPv6 loopback", "http://[::1]:" + port + "/"},
		{"IPv4-mapped IPv6 loopback", "http://[::ffff:127.0.0.1]:" + port + "/"},
		{"IPv6 unique local", "http://[fd00:ec2::254]/"},
		{"unspecified", "http://0.0.0.0:" + port + "/"},
		{"CGNAT", "http://100.64.0.1/"},
		{"a name resolving to loopback", "http://evil.test:" + port + "/"},
		{"a name resolving to the metadata address", "http://metadata.test/"},
		{"a name resolving only to private addresses", "http://mixed.test/"},
		{"a redirect to loopback", via(target.URL + "/")},
		{"a redirect to a private address", via("http://10.0.0.1/")},
		{"a redirect to a name resolving to loopback", via("http://evil.test:" + port + "/")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Client{Resolver: resolver, trusted: []netip.AddrPort{hop.addrPort(t)}}
			before := target.hits.Load()
			_, _, _, err := c.Fetch(context.Background(), tt.url)
			if msg, _ := corpus.UserMessage(err); msg != userMsg(ErrPrivate) {
				t.Errorf("Fetch(%q) = %v, want %q", tt.url, err, userMsg(ErrPrivate))
			}
			if n := target.hits.Load() - before; n != 0 {
				t.Errorf("Fetch(%q) reached the private server %d times", tt.url, n)
			}
		})
	}
}

func TestAllowPrivateFetchesFromLoopbackAndResolvedNames(t *testing.T) {
	srv := newServer(t, http.HandlerFunc(htmlPage))
	c := &Client{AllowPrivate: true, Resolver: fakeResolver{"intranet.test": {"127.0.0.1"}}}
	for _, u := range []string{srv.URL + "/", "http://intranet.test:" + srv.port() + "/"} {
		if _, _, _, err := c.Fetch(context.Background(), u); err != nil {
			t.Errorf("Fetch(%q) = %v, want the page", u, err)
		}
	}
}

func TestFetchRefusesOtherSchemesUserinfoAndBadLinks(t *testing.T) {
	tests := []struct {
		url  string
		want error
	}{
		{"ftp://example.com/article.txt", ErrScheme},
		{"file:///etc/passwd", ErrScheme},
		{"gopher://example.com/", ErrScheme},
		{"javascript:alert(1)", ErrScheme},
		{"https://user:secret@example.com/", ErrUserinfo},
		{"https://user@example.com/", ErrUserinfo},
		{"example.com/article", ErrBadURL},
		{"https:///nohost", ErrBadURL},
		{"http://[::1", ErrBadURL},
	}
	c := &Client{Resolver: fakeResolver{}}
	for _, tt := range tests {
		_, _, _, err := c.Fetch(context.Background(), tt.url)
		if msg, _ := corpus.UserMessage(err); msg != userMsg(tt.want) {
			t.Errorf("Fetch(%q) = %v, want %q", tt.url, err, userMsg(tt.want))
		}
	}
}

func TestFetchRefusesOversizedPagesAndOtherContentTypes(t *testing.T) {
	big := strings.Repeat("<p>The harbour reopened.</p>\n", MaxBytes/28+10)
	mux := http.NewServeMux()
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Length", strconv.Itoa(len(big)))
		fmt.Fprint(w, big)
	})
	mux.HandleFunc("/big-chunked", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		for i := 0; i < len(big); i += 64 << 10 {
			fmt.Fprint(w, big[i:min(i+64<<10, len(big))])
			w.(http.Flusher).Flush()
		}
	})
	mux.HandleFunc("/exactly-max", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, strings.Repeat("a", MaxBytes))
	})
	serve := func(ct, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", ct)
			fmt.Fprint(w, body)
		}
	}
	mux.HandleFunc("/png", serve("image/png", "\x89PNG\r\n\x1a\n"))
	mux.HandleFunc("/pdf", serve("application/pdf", "%PDF-1.7"))
	mux.HandleFunc("/json", serve("application/json", `{"a":1}`))
	mux.HandleFunc("/bad-type", serve("text/", "x"))
	mux.HandleFunc("/missing", http.NotFound)
	srv := newServer(t, mux)

	tests := []struct {
		path string
		want string // the user message
	}{
		{"/big", userMsg(ErrTooLarge)},
		{"/big-chunked", userMsg(ErrTooLarge)},
		{"/png", "That link is image/png, not a web page or text, so it was not added."},
		{"/pdf", "That link is application/pdf, not a web page or text, so it was not added."},
		{"/json", "That link is application/json, not a web page or text, so it was not added."},
		{"/bad-type", "That link is an unknown type, not a web page or text, so it was not added."},
		{"/missing", "The site answered 404 Not Found instead of the page."},
	}
	c := &Client{AllowPrivate: true}
	for _, tt := range tests {
		_, _, _, err := c.Fetch(context.Background(), srv.URL+tt.path)
		if msg, _ := corpus.UserMessage(err); msg != tt.want {
			t.Errorf("Fetch(%q) = %v, want %q", tt.path, err, tt.want)
		}
	}
	if body, _, _, err := c.Fetch(context.Background(), srv.URL+"/exactly-max"); err != nil || len(body) != MaxBytes {
		t.Errorf("Fetch(/exactly-max) = %d bytes, %v; want %d bytes", len(body), err, MaxBytes)
	}
}

func TestFetchFollowsAtMostFiveRedirects(t *testing.T) {
	// /hops/n redirects n more times before the page.
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/hops/"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		if n == 0 {
			htmlPage(w, r)
			return
		}
		http.Redirect(w, r, "/hops/"+strconv.Itoa(n-1), http.StatusFound)
	}))
	c := &Client{AllowPrivate: true}
	tests := []struct {
		hops int
		want error
	}{
		{0, nil}, {1, nil}, {MaxRedirects, nil}, {MaxRedirects + 1, ErrRedirects}, {50, ErrRedirects},
	}
	for _, tt := range tests {
		u := srv.URL + "/hops/" + strconv.Itoa(tt.hops)
		_, final, _, err := c.Fetch(context.Background(), u)
		if tt.want == nil {
			if err != nil || final != srv.URL+"/hops/0" {
				t.Errorf("Fetch(%q) = %q, %v; want the page at /hops/0", u, final, err)
			}
			continue
		}
		if msg, _ := corpus.UserMessage(err); msg != userMsg(tt.want) {
			t.Errorf("Fetch(%q) = %v, want %q", u, err, userMsg(tt.want))
		}
	}
}

func TestFetchRefusesARedirectToAnotherScheme(t *testing.T) {
	srv := newServer(t, http.RedirectHandler("file:///etc/passwd", http.StatusFound))
	c := &Client{AllowPrivate: true}
	_, _, _, err := c.Fetch(context.Background(), srv.URL)
	if msg, _ := corpus.UserMessage(err); msg != userMsg(ErrScheme) {
		t.Errorf("Fetch(redirect to file:) = %v, want %q", err, userMsg(ErrScheme))
	}
}

func TestFetchExplainsUnreachableSitesAndUnknownNames(t *testing.T) {
	srv := newServer(t, http.HandlerFunc(htmlPage))
	closed := srv.URL
	srv.Close()
	c := &Client{AllowPrivate: true, Resolver: fakeResolver{}}
	tests := []struct {
		url  string
		want error
	}{
		{closed, ErrUnreachable},
		{"http://nowhere.test/", ErrNoHost},
	}
	for _, tt := range tests {
		_, _, _, err := c.Fetch(context.Background(), tt.url)
		if msg, _ := corpus.UserMessage(err); msg != userMsg(tt.want) {
			t.Errorf("Fetch(%q) = %v, want %q", tt.url, err, userMsg(tt.want))
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, _, err := c.Fetch(ctx, "http://nowhere.test/"); !errors.Is(err, context.Canceled) {
		t.Errorf("Fetch(cancelled) = %v, want context.Canceled", err)
	}
}

func TestFetchDecodesDeclaredCharsets(t *testing.T) {
	latin1 := "<html><head><meta charset=\"iso-8859-1\"><title>Caf\xe9</title></head><body><article><p>The caf\xe9 on the quay reopened on Monday after the repairs to the harbour wall were finished.</p></article></body></html>"
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/meta":
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, latin1)
		case "/header":
			w.Header().Set("Content-Type", "text/plain; charset=ISO-8859-1")
			fmt.Fprint(w, "Caf\xe9 reopens.")
		}
	}))
	c := &Client{AllowPrivate: true}
	for path, want := range map[string]string{"/meta": "The café on the quay", "/header": "Café reopens."} {
		body, _, _, err := c.Fetch(context.Background(), srv.URL+path)
		if err != nil || !strings.Contains(string(body), want) {
			t.Errorf("Fetch(%q) = %q, %v; want it to contain %q", path, body, err, want)
		}
	}
}

func TestBlockedNamesEachKindOfAddress(t *testing.T) {
	tests := []struct {
		ip, want string
	}{
		{"127.0.0.1", "loopback"},
		{"::1", "loopback"},
		{"10.0.0.1", "private"},
		{"172.16.5.4", "private"},
		{"192.168.0.1", "private"},
		{"fc00::1", "private"},
		{"169.254.169.254", "link-local"},
		{"fe80::1", "link-local"},
		{"224.0.0.1", "multicast"},
		{"ff02::1", "multicast"},
		{"0.0.0.0", "unspecified"},
		{"::", "unspecified"},
		{"100.64.0.1", "carrier-grade NAT"},
		{"100.100.100.200", "carrier-grade NAT"},
		{"192.0.0.192", "IETF protocol"},
		{"255.255.255.255", "reserved"},
		{"::ffff:10.0.0.1", "private"},
		{"64:ff9b::7f00:1", "loopback"},
		{"2002:a9fe:a9fe::", "link-local"},
		{"93.184.215.14", ""},
		{"2606:4700::1111", ""},
		{"172.32.0.1", ""},
	}
	for _, tt := range tests {
		if got := Blocked(netip.MustParseAddr(tt.ip)); got != tt.want {
			t.Errorf("Blocked(%s) = %q, want %q", tt.ip, got, tt.want)
		}
	}
}

func TestCheckAttachmentAcceptsSmallTextFilesOnly(t *testing.T) {
	tests := []struct {
		name, ct string
		size     int64
		want     error
	}{
		{"article.txt", "text/plain; charset=utf-8", 1200, nil},
		{"article.md", "text/markdown", 1200, nil},
		{"Article.HTML", "text/html", 1200, nil},
		{"article.html", "", 1200, nil},
		{"article.md", "", MaxBytes, nil},
		{"article.md", "", MaxBytes + 1, ErrFileTooLarge},
		{"article.txt", "", 0, corpus.ErrEmpty},
		{"article.pdf", "application/pdf", 1200, ErrFileType},
		{"photo.png", "image/png", 1200, ErrFileType},
		{"article.txt", "image/png", 1200, ErrFileType},
		{"article.txt", "application/octet-stream", 1200, ErrFileType},
		{"article", "text/plain", 1200, ErrFileType},
	}
	for _, tt := range tests {
		err := CheckAttachment(tt.name, tt.ct, tt.size)
		got, _ := corpus.UserMessage(err)
		if want := userMsg(tt.want); got != want || (tt.want == nil) != (err == nil) {
			t.Errorf("CheckAttachment(%q, %q, %d) = %v, want %v", tt.name, tt.ct, tt.size, err, tt.want)
		}
	}
}
