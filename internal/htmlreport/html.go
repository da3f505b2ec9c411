package htmlreport

import (
	"bytes"
	_ "embed"
	"html/template"
	"io"

	"github.com/goport/goport/internal/kb"
)

//go:embed page.html.tmpl
var pageTemplate string

// stylesheet is goport's own, constant CSS: the only content the page
// trusts without escaping.
//
//go:embed style.css
var stylesheet string

// Write renders inputs as one HTML page. store supplies the runbooks that
// explain rules and failures; with nil, the page names runbooks without
// their text. Nothing is written when rendering fails.
func Write(w io.Writer, inputs []*Input, store *kb.Store, opts Options) error {
	tmpl, err := template.New("page").Parse(pageTemplate)
	if err != nil {
		return err
	}
	data := struct {
		CSS  template.CSS
		Page *page
	}{template.CSS(stylesheet), build(inputs, store, opts)}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, data); err != nil {
		return err
	}
	_, err = w.Write(buf.Bytes())
	return err
}
