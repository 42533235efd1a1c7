// Package web renders podplay's pages (templ components, one .templ file
// per area) and serves the browser side: the diagram's and the terminal's
// JavaScript modules and the style sheets, embedded in the binary. It
// renders; it never reaches into the store or the engine.
package web
