package plan

import (
	"regexp"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	extast "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"
)

// TestMarkdownParsesAsCommonMark parses every comment of a rendered plan
// with a CommonMark (GFM) parser and checks the structure reviewers see:
// tables, folded <details> blocks, and a Mermaid graph whose every line is
// a well-formed flowchart statement with edges between declared nodes.
func TestMarkdownParsesAsCommonMark(t *testing.T) {
	md := goldmark.New(goldmark.WithExtensions(extension.GFM))
	for i, part := range RenderMarkdown(fixturePlan()) {
		src := []byte(part)
		doc := md.Parser().Parse(text.NewReader(src))
		var tables, htmlBlocks, headings int
		var mermaid []string
		_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
			if !entering {
				return ast.WalkContinue, nil
			}
			switch n := n.(type) {
			case *extast.Table:
				tables++
			case *ast.HTMLBlock:
				htmlBlocks++
			case *ast.Heading:
				headings++
			case *ast.FencedCodeBlock:
				if string(n.Language(src)) == "mermaid" {
					for j := 0; j < n.Lines().Len(); j++ {
						seg := n.Lines().At(j)
						mermaid = append(mermaid, strings.TrimRight(string(seg.Value(src)), "\n"))
					}
				}
			}
			return ast.WalkContinue, nil
		})
		if headings == 0 || tables < 2 || htmlBlocks < 2 {
			t.Errorf("part %d: %d headings, %d tables, %d HTML blocks; want a heading, tables and <details> blocks", i, headings, tables, htmlBlocks)
		}
		if i == 0 {
			if len(mermaid) == 0 {
				t.Fatal("no mermaid block")
			}
			checkMermaid(t, mermaid)
		}
	}
}

var (
	mermaidNode  = regexp.MustCompile(`^\s*([A-Za-z_][A-Za-z0-9_]*)\["[^"]*"\](:::[a-z]+)?$`)
	mermaidEdge  = regexp.MustCompile(`^\s*([A-Za-z_][A-Za-z0-9_]*) --> ([A-Za-z_][A-Za-z0-9_]*)$`)
	mermaidOther = regexp.MustCompile(`^\s*(classDef [a-z]+ .+|subgraph [A-Za-z_][A-Za-z0-9_]* \["[^"]*"\]|end)$`)
)

func checkMermaid(t *testing.T, lines []string) {
	t.Helper()
	if lines[0] != "flowchart LR" {
		t.Fatalf("mermaid starts with %q", lines[0])
	}
	nodes := map[string]bool{}
	var edges [][2]string
	depth := 0
	for _, l := range lines[1:] {
		switch {
		case mermaidNode.MatchString(l):
			nodes[mermaidNode.FindStringSubmatch(l)[1]] = true
		case mermaidEdge.MatchString(l):
			m := mermaidEdge.FindStringSubmatch(l)
			edges = append(edges, [2]string{m[1], m[2]})
		case mermaidOther.MatchString(l):
			if strings.HasPrefix(strings.TrimSpace(l), "subgraph") {
				depth++
			} else if strings.TrimSpace(l) == "end" {
				depth--
			}
		default:
			t.Errorf("not a flowchart statement: %q", l)
		}
	}
	if depth != 0 {
		t.Errorf("unbalanced subgraph/end (%d)", depth)
	}
	if len(edges) == 0 {
		t.Error("graph has no edges")
	}
	for _, e := range edges {
		if !nodes[e[0]] || !nodes[e[1]] {
			t.Errorf("edge %s --> %s names an undeclared node", e[0], e[1])
		}
	}
}
