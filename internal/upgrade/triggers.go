package upgrade

// triggers refine the GODEBUG table: for a setting listed here, the module
// is affected only when it uses one of these symbols (keys as in uses).
// Settings not listed fall back to "the module uses an object of the
// setting's package", so settings added by future toolchains are still
// reported. Keys name the API through which the behaviour is reached.
var triggers = map[string][]string{
	"asynctimerchan": {
		"time.NewTimer", "time.After", "time.NewTicker", "time.Tick",
		"time.Timer.Reset", "time.Timer.Stop", "time.Timer.C", "time.Ticker.Reset", "time.Ticker.Stop", "time.Ticker.C",
	},
	"panicnil":     {keyPanicNil, keyRecover},
	"httpmuxgo121": {"net/http.NewServeMux", "net/http.Handle", "net/http.HandleFunc", "net/http.ServeMux.Handle", "net/http.ServeMux.HandleFunc", "net/http.DefaultServeMux"},
	"httpservecontentkeepheaders": {
		"net/http.ServeContent", "net/http.ServeFile", "net/http.ServeFileFS", "net/http.FileServer", "net/http.FileServerFS",
	},
	"tlsunsafeekm":       {"crypto/tls.ConnectionState.ExportKeyingMaterial"},
	"x509keypairleaf":    {"crypto/tls.X509KeyPair", "crypto/tls.LoadX509KeyPair"},
	"x509negativeserial": {"crypto/x509.ParseCertificate", "crypto/x509.ParseCertificates"},
	"x509rsacrt":         {"crypto/x509.ParsePKCS1PrivateKey", "crypto/x509.ParsePKCS8PrivateKey"},
	"x509usepolicies":    {"crypto/x509.CreateCertificate"},
	"x509sha256skid":     {"crypto/x509.CreateCertificate"},
	"randseednop":        {"math/rand.Seed"},
	"multipathtcp": {
		"net.Listen", "net.ListenTCP", "net.ListenConfig.Listen",
		"net/http.ListenAndServe", "net/http.ListenAndServeTLS", "net/http.Server.ListenAndServe", "net/http.Server.ListenAndServeTLS",
	},
	"urlmaxqueryparams": {
		"net/url.ParseQuery", "net/url.URL.Query", "net/http.Request.ParseForm", "net/http.Request.FormValue",
		"net/http.Request.PostFormValue", "net/http.Request.ParseMultipartForm",
	},
	"urlstrictcolons": {
		"net/url.Parse", "net/url.ParseRequestURI", "net/http.NewRequest", "net/http.NewRequestWithContext",
		"net/http.Get", "net/http.Post", "net/http.Head", "net/http.PostForm",
	},
	"httpcookiemaxnum": {
		"net/http.Request.Cookies", "net/http.Request.Cookie", "net/http.Request.CookiesNamed", "net/http.Response.Cookies", "net/http.ParseCookie",
	},
	"cryptocustomrand": {
		"crypto/rsa.GenerateKey", "crypto/rsa.GenerateMultiPrimeKey", "crypto/rsa.SignPKCS1v15", "crypto/rsa.SignPSS",
		"crypto/rsa.EncryptPKCS1v15", "crypto/rsa.EncryptOAEP", "crypto/ecdsa.GenerateKey", "crypto/ecdsa.Sign", "crypto/ecdsa.SignASN1",
		"crypto/ecdh.Curve.GenerateKey", "crypto/ed25519.GenerateKey", "crypto/dsa.GenerateKey", "crypto/dsa.Sign",
	},
	// Runtime behaviour of every program: any main package is affected.
	"containermaxprocs": {keyMain},
	"updatemaxprocs":    {keyMain},
	"decoratemappings":  {keyMain},
	// Windows file-system behaviour.
	"winsymlink":        {"os.Stat", "os.Lstat", "os.Readlink", "os.File.Stat", "path/filepath.EvalSymlinks", "path/filepath.Walk", "path/filepath.WalkDir"},
	"winreadlinkvolume": {"os.Readlink", "path/filepath.EvalSymlinks"},
}

// tlsServer and tlsClient are the APIs through which a program speaks TLS
// without importing crypto/tls itself.
var (
	tlsServer = []string{"net/http.ListenAndServeTLS", "net/http.ServeTLS", "net/http.Server.ListenAndServeTLS", "net/http.Server.ServeTLS"}
	tlsClient = []string{"net/http.Get", "net/http.Post", "net/http.Head", "net/http.PostForm", "net/http.Client.Do", "net/http.Client.Get",
		"net/http.Client.Post", "net/http.DefaultClient", "net/http.Transport"}
)

// tlsSettings apply to any TLS use: crypto/tls itself or net/http over https.
var tlsSettings = map[string][]string{
	"tls10server":  tlsServer,
	"tlsrsakex":    append(append([]string(nil), tlsServer...), tlsClient...),
	"tls3des":      append(append([]string(nil), tlsServer...), tlsClient...),
	"tlsmlkem":     append(append([]string(nil), tlsServer...), tlsClient...),
	"tlssecpmlkem": append(append([]string(nil), tlsServer...), tlsClient...),
	"tlssha1":      append(append([]string(nil), tlsServer...), tlsClient...),
}

// triggerUses returns where the module uses what setting s governs, and
// whether it does.
func triggerUses(s Setting, u *uses) ([]string, bool) {
	if s.Package == "cmd/go" {
		return nil, true // the go command's own behaviour: every module
	}
	keys, refined := triggers[s.Name]
	if extra, ok := tlsSettings[s.Name]; ok {
		keys = extra
		if u.pkgs["crypto/tls"] {
			return []string{pkgKey("crypto/tls")}, true
		}
		refined = true
	}
	if !refined {
		if u.pkgs[s.Package] {
			return []string{pkgKey(s.Package)}, true
		}
		return nil, false
	}
	var used []string
	for _, k := range keys {
		if _, ok := u.has(k); ok {
			used = append(used, k)
		}
	}
	return used, len(used) > 0
}
