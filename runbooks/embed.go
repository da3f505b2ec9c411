// Package runbooks embeds goport's built-in knowledge base: one Markdown
// runbook with YAML front matter per file, named after its id.
package runbooks

import (
	"embed"
	"io/fs"
)

//go:embed *.md
var files embed.FS

// FS returns the built-in runbooks.
func FS() fs.FS { return files }
