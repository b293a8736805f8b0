package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/sparkls/sparkls/lsp"
)

// protocol.ts: the wire shapes of sparkls's custom commands and
// notifications, from the payload types of lsp.CommandSpecs and
// lsp.Notifications (by reflection, as encoding/json sees them) with the
// doc comments of their Go declarations. A new command or payload field
// needs no change here.

// unions are string fields whose values are the constants of lsp/names.go
// with a prefix: TypeScript gets a union of those values.
var unions = map[string]struct{ name, prefix string }{
	"Status.State": {"ConnectionState", "State"},
}

// goDocs are the doc comments of the types and fields of the packages the
// payloads come from: "Type" and "Type.Field" → text.
func goDocs(root string, dirs ...string) (map[string]string, error) {
	docs := map[string]string{}
	fset := token.NewFileSet()
	for _, dir := range dirs {
		files, err := filepath.Glob(filepath.Join(root, dir, "*.go"))
		if err != nil {
			return nil, err
		}
		for _, path := range files {
			if strings.HasSuffix(path, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
			if err != nil {
				return nil, err
			}
			for _, d := range f.Decls {
				gd, ok := d.(*ast.GenDecl)
				if !ok || gd.Tok != token.TYPE {
					continue
				}
				for _, spec := range gd.Specs {
					ts := spec.(*ast.TypeSpec)
					doc := gd.Doc
					if ts.Doc != nil {
						doc = ts.Doc
					}
					if doc != nil {
						docs[ts.Name.Name] = doc.Text()
					}
					st, ok := ts.Type.(*ast.StructType)
					if !ok {
						continue
					}
					for _, fl := range st.Fields.List {
						text := ""
						if fl.Doc != nil {
							text = fl.Doc.Text()
						} else if fl.Comment != nil {
							text = fl.Comment.Text()
						}
						for _, n := range fl.Names {
							docs[ts.Name.Name+"."+n.Name] = text
						}
					}
				}
			}
		}
	}
	return docs, nil
}

// tsGen writes TypeScript interfaces for Go types, each once, dependencies
// first.
type tsGen struct {
	docs   map[string]string
	consts []nameConst
	done   map[reflect.Type]bool
	out    bytes.Buffer
}

// rawType is a payload field kept raw (a token).
var rawType = reflect.TypeFor[json.RawMessage]()

// lspType tells whether t is the LSP type name (Range, Position) of
// go.lsp.dev/protocol, which only package lsp may import.
func lspType(t reflect.Type, name string) bool {
	return t.PkgPath() == "go.lsp.dev/protocol" && t.Name() == name
}

func (g *tsGen) comment(indent, text string) {
	text = strings.TrimSpace(text)
	if text == "" {
		return
	}
	lines := strings.Split(text, "\n")
	if len(lines) == 1 {
		fmt.Fprintf(&g.out, "%s/** %s */\n", indent, lines[0])
		return
	}
	fmt.Fprintf(&g.out, "%s/**\n", indent)
	for _, l := range lines {
		fmt.Fprintln(&g.out, strings.TrimRight(indent+" * "+l, " "))
	}
	fmt.Fprintf(&g.out, "%s */\n", indent)
}

// tsType is the TypeScript spelling of t, declaring the interfaces it needs.
func (g *tsGen) tsType(t reflect.Type) string {
	switch {
	case lspType(t, "Range"):
		return "Range"
	case lspType(t, "Position"):
		return "Position"
	case t == rawType:
		return "unknown"
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Pointer:
		return g.tsType(t.Elem()) + " | null"
	case reflect.Slice:
		el := g.tsType(t.Elem())
		if strings.Contains(el, " ") {
			el = "(" + el + ")"
		}
		return el + "[]"
	case reflect.Map:
		return "Record<string, " + g.tsType(t.Elem()) + ">"
	case reflect.Struct:
		g.declare(t)
		return t.Name()
	}
	return "unknown"
}

// declare writes the interface of struct type t once.
func (g *tsGen) declare(t reflect.Type) {
	if g.done[t] {
		return
	}
	g.done[t] = true
	type field struct{ name, typ, doc string }
	var fields []field
	var extends []string
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		if f.Anonymous {
			extends = append(extends, g.tsType(f.Type))
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		typ := g.tsType(f.Type)
		if u, ok := unions[t.Name()+"."+f.Name]; ok {
			typ = u.name
		}
		if f.Type == rawType && f.Name == "WorkDoneToken" {
			typ = "string | number" // LSP's ProgressToken
		}
		if strings.Contains(opts, "omitempty") {
			name += "?"
			typ = strings.TrimSuffix(typ, " | null")
		}
		fields = append(fields, field{name, typ, g.docs[t.Name()+"."+f.Name]})
	}
	g.out.WriteString("\n")
	g.comment("", g.docs[t.Name()])
	fmt.Fprintf(&g.out, "export interface %s ", t.Name())
	if len(extends) > 0 {
		fmt.Fprintf(&g.out, "extends %s ", strings.Join(extends, ", "))
	}
	g.out.WriteString("{\n")
	for _, f := range fields {
		g.comment("  ", f.doc)
		fmt.Fprintf(&g.out, "  %s: %s;\n", f.name, f.typ)
	}
	g.out.WriteString("}\n")
}

// protocolTS is editors/vscode/src/protocol.ts.
func protocolTS(root string, consts []nameConst) ([]byte, error) {
	docs, err := goDocs(root, "lsp", "connect")
	if err != nil {
		return nil, err
	}
	g := &tsGen{docs: docs, consts: consts, done: map[reflect.Type]bool{}}
	g.out.WriteString("// Code generated by go run ./cmd/gen-editors from the payload types of lsp.CommandSpecs,\n" +
		"// lsp.RequestSpecs and lsp.Notifications. DO NOT EDIT.\n\n" +
		"export interface Position {\n  line: number;\n  character: number;\n}\n\n" +
		"export interface Range {\n  start: Position;\n  end: Position;\n}\n")
	for _, u := range unions {
		var vals []string
		for _, c := range consts {
			if strings.HasPrefix(c.name, u.prefix) {
				vals = append(vals, tsString(c.value))
			}
		}
		fmt.Fprintf(&g.out, "\nexport type %s = %s;\n", u.name, strings.Join(vals, " | "))
	}
	// payload is a command's argument or answer; none (an empty struct)
	// is no argument, or a null answer.
	payload := func(t reflect.Type, empty string) string {
		if t.Kind() == reflect.Struct && t.NumField() == 0 {
			return empty
		}
		return strings.TrimSuffix(g.tsType(t), " | null")
	}
	var args, results, notes, reqArgs, reqResults bytes.Buffer
	for _, c := range lsp.CommandSpecs() {
		fmt.Fprintf(&args, "  %s: %s;\n", tsString(c.Name), payload(c.Params, "undefined"))
		fmt.Fprintf(&results, "  %s: %s;\n", tsString(c.Name), payload(c.Result, "null"))
	}
	for _, r := range lsp.RequestSpecs() {
		fmt.Fprintf(&reqArgs, "  %s: %s;\n", tsString(r.Name), payload(r.Params, "undefined"))
		fmt.Fprintf(&reqResults, "  %s: %s;\n", tsString(r.Name), payload(r.Result, "null"))
	}
	for _, n := range lsp.Notifications {
		fmt.Fprintf(&notes, "  %s: %s;\n", tsString(n.Name), g.tsType(n.Params))
	}
	g.out.WriteString("\n/** The argument of each command (workspace/executeCommand), by name. */\nexport interface CommandArgs {\n")
	g.out.Write(args.Bytes())
	g.out.WriteString("}\n\n/** The answer of each command, by name. */\nexport interface CommandResults {\n")
	g.out.Write(results.Bytes())
	g.out.WriteString("}\n\n/** The params of each custom request (client → server), by method. */\nexport interface RequestParams {\n")
	g.out.Write(reqArgs.Bytes())
	g.out.WriteString("}\n\n/** The answer of each custom request, by method. */\nexport interface RequestResults {\n")
	g.out.Write(reqResults.Bytes())
	g.out.WriteString("}\n\n/** The payload of each notification (server → client), by name. */\nexport interface NotificationParams {\n")
	g.out.Write(notes.Bytes())
	g.out.WriteString("}\n")
	return g.out.Bytes(), nil
}

// namesLua is editors/nvim/lua/sparkls/names.lua: the wire names for the
// Neovim plugin.
func namesLua(consts []nameConst) []byte {
	var b bytes.Buffer
	b.WriteString("-- Code generated by go run ./cmd/gen-editors from lsp/names.go. DO NOT EDIT.\n")
	b.WriteString("-- Every custom wire name of sparkls (commands, notifications, states).\nreturn {\n")
	for _, c := range consts {
		fmt.Fprintf(&b, "  %s = %s,\n", c.name, tsString(c.value))
	}
	b.WriteString("}\n")
	return b.Bytes()
}
