// Package web will hold podplay's templ components and the embedded static
// assets (the diagram's JavaScript and CSS). It renders; it never reaches
// into the store. It is not built yet; see the project's issues.
package web
