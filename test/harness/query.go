package harness

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// get GETs base+path?query with optional headers and returns the body of a 2xx answer; another
// answer is an error carrying the status and the start of the body.
func get(base, path string, query url.Values, headers map[string]string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	u := base + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		if len(body) > 300 {
			body = body[:300]
		}
		return nil, &HTTPError{URL: u, Status: resp.StatusCode, Body: string(body)}
	}
	return body, nil
}

// HTTPError is a non-2xx answer.
type HTTPError struct {
	URL    string
	Status int
	Body   string // its start
}

func (e *HTTPError) Error() string { return fmt.Sprintf("GET %s: %d: %s", e.URL, e.Status, e.Body) }

// GetJSON is get, decoding the JSON answer into out.
func GetJSON(base, path string, query url.Values, headers map[string]string, out any) error {
	body, err := get(base, path, query, headers)
	if err != nil {
		return err
	}
	return json.Unmarshal(body, out)
}

// JaegerTraceJSON returns Jaeger's API v3 answer for a trace as it is, for searching its text.
func JaegerTraceJSON(queryURL, traceID string, headers map[string]string) ([]byte, error) {
	return get(queryURL, "/api/v3/traces/"+traceID, nil, headers)
}

// JaegerTraceSpans returns the number of spans Jaeger holds for a trace (hex trace id), through
// its API v3 (GET /api/v3/traces/{id}); 0 with a nil error when Jaeger does not know the trace.
func JaegerTraceSpans(queryURL, traceID string, headers map[string]string) (int, error) {
	var res struct {
		Result struct {
			ResourceSpans []struct {
				ScopeSpans []struct {
					Spans []json.RawMessage `json:"spans"`
				} `json:"scopeSpans"`
			} `json:"resourceSpans"`
		} `json:"result"`
	}
	err := GetJSON(queryURL, "/api/v3/traces/"+traceID, nil, headers, &res)
	if httpErr := (*HTTPError)(nil); errors.As(err, &httpErr) && httpErr.Status == http.StatusNotFound {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	n := 0
	for _, rs := range res.Result.ResourceSpans {
		for _, ss := range rs.ScopeSpans {
			n += len(ss.Spans)
		}
	}
	return n, nil
}

// PromSample is one series of an instant query.
type PromSample struct {
	Labels map[string]string
	Value  float64
}

// PromQuery runs an instant PromQL query (GET /api/v1/query) at the present.
func PromQuery(promURL, query string) ([]PromSample, error) {
	return PromQueryAt(promURL, query, time.Time{})
}

// PromQueryAt runs an instant PromQL query evaluated at the given time (the present if zero).
func PromQueryAt(promURL, query string, at time.Time) ([]PromSample, error) {
	var res struct {
		Data struct {
			Result []struct {
				Metric map[string]string `json:"metric"`
				Value  [2]any            `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	q := url.Values{"query": {query}}
	if !at.IsZero() {
		q.Set("time", strconv.FormatInt(at.Unix(), 10))
	}
	if err := GetJSON(promURL, "/api/v1/query", q, nil, &res); err != nil {
		return nil, err
	}
	out := make([]PromSample, 0, len(res.Data.Result))
	for _, r := range res.Data.Result {
		s, _ := r.Value[1].(string)
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fmt.Errorf("sample value %q: %w", s, err)
		}
		out = append(out, PromSample{Labels: r.Metric, Value: v})
	}
	return out, nil
}

// PromExemplar is one stored exemplar with its series labels.
type PromExemplar struct {
	SeriesLabels map[string]string
	Labels       map[string]string // exemplar labels, e.g. trace_id
	Value        float64
}

// PromExemplars queries stored exemplars (GET /api/v1/query_exemplars) over [start, end].
func PromExemplars(promURL, query string, start, end time.Time) ([]PromExemplar, error) {
	var res struct {
		Data []struct {
			SeriesLabels map[string]string `json:"seriesLabels"`
			Exemplars    []struct {
				Labels map[string]string `json:"labels"`
				Value  string            `json:"value"`
			} `json:"exemplars"`
		} `json:"data"`
	}
	q := url.Values{
		"query": {query},
		"start": {strconv.FormatInt(start.Unix(), 10)},
		"end":   {strconv.FormatInt(end.Unix()+1, 10)},
	}
	if err := GetJSON(promURL, "/api/v1/query_exemplars", q, nil, &res); err != nil {
		return nil, err
	}
	var out []PromExemplar
	for _, d := range res.Data {
		for _, e := range d.Exemplars {
			v, _ := strconv.ParseFloat(e.Value, 64)
			out = append(out, PromExemplar{SeriesLabels: d.SeriesLabels, Labels: e.Labels, Value: v})
		}
	}
	return out, nil
}

// LokiEntry is one log line with its stream labels and structured metadata.
type LokiEntry struct {
	Stream             map[string]string
	Line               string
	StructuredMetadata map[string]string
}

// LokiQueryRange runs a LogQL range query (GET /loki/api/v1/query_range) with structured metadata
// returned separately from the stream labels. orgID, if set, is sent as X-Scope-OrgID.
func LokiQueryRange(lokiURL, query string, start, end time.Time, orgID string) ([]LokiEntry, error) {
	var res struct {
		Data struct {
			Result []struct {
				Stream map[string]string   `json:"stream"`
				Values [][]json.RawMessage `json:"values"`
			} `json:"result"`
		} `json:"data"`
	}
	q := url.Values{
		"query":     {query},
		"start":     {strconv.FormatInt(start.UnixNano(), 10)},
		"end":       {strconv.FormatInt(end.UnixNano(), 10)},
		"limit":     {"5000"},
		"direction": {"forward"},
	}
	headers := map[string]string{"X-Loki-Response-Encoding-Flags": "categorize-labels"}
	if orgID != "" {
		headers["X-Scope-OrgID"] = orgID
	}
	if err := GetJSON(lokiURL, "/loki/api/v1/query_range", q, headers, &res); err != nil {
		return nil, err
	}
	var out []LokiEntry
	for _, r := range res.Data.Result {
		for _, v := range r.Values {
			if len(v) < 2 {
				return nil, fmt.Errorf("loki value with %d fields", len(v))
			}
			e := LokiEntry{Stream: r.Stream}
			if err := json.Unmarshal(v[1], &e.Line); err != nil {
				return nil, fmt.Errorf("loki line: %w", err)
			}
			if len(v) > 2 {
				var meta struct {
					StructuredMetadata map[string]string `json:"structuredMetadata"`
				}
				if err := json.Unmarshal(v[2], &meta); err != nil {
					return nil, fmt.Errorf("loki metadata: %w", err)
				}
				e.StructuredMetadata = meta.StructuredMetadata
			}
			out = append(out, e)
		}
	}
	return out, nil
}

// LokiCount runs a LogQL metric query that yields one number, such as
// sum(count_over_time({service_name="x"} [1h])), at the current time for the tenant orgID;
// an empty result is 0.
func LokiCount(lokiURL, query, orgID string) (float64, error) {
	var res struct {
		Data struct {
			Result []struct {
				Value []json.RawMessage `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	q := url.Values{"query": {query}, "time": {strconv.FormatInt(time.Now().UnixNano(), 10)}}
	if err := GetJSON(lokiURL, "/loki/api/v1/query", q, map[string]string{"X-Scope-OrgID": orgID}, &res); err != nil {
		return 0, err
	}
	switch len(res.Data.Result) {
	case 0:
		return 0, nil
	case 1:
	default:
		return 0, fmt.Errorf("loki query %q: %d series, want one", query, len(res.Data.Result))
	}
	if v := res.Data.Result[0].Value; len(v) == 2 {
		var text string
		if err := json.Unmarshal(v[1], &text); err != nil {
			return 0, fmt.Errorf("loki value: %w", err)
		}
		return strconv.ParseFloat(text, 64)
	}
	return 0, fmt.Errorf("loki query %q: malformed value", query)
}
