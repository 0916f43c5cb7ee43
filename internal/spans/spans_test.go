package spans

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

func TestForEach(t *testing.T) {
	td := ptrace.NewTraces()
	shop := td.ResourceSpans().AppendEmpty()
	shop.Resource().Attributes().PutStr("service.name", "shop")
	shop.ScopeSpans().AppendEmpty().Spans().AppendEmpty().SetName("GET /")
	ss := shop.ScopeSpans().AppendEmpty()
	ss.Spans().AppendEmpty().SetName("query")
	ss.Spans().AppendEmpty().SetName("render")
	td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty().SetName("orphan")

	var got []string
	ForEach(td, func(service string, span ptrace.Span) { got = append(got, service+":"+span.Name()) })
	assert.Equal(t, []string{"shop:GET /", "shop:query", "shop:render", ":orphan"}, got)
}
