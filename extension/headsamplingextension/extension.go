package headsamplingextension

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/extension"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"
	"google.golang.org/grpc"

	"github.com/tailwise/tailwise/extension/fleetextension"
	"github.com/tailwise/tailwise/extension/headsamplingextension/internal/metadata"
	"github.com/tailwise/tailwise/internal/cardinality"
	"github.com/tailwise/tailwise/internal/hostext"
	"github.com/tailwise/tailwise/internal/periodic"
)

// pollMemory is how long after its last poll a service counts as polling, for the rule that
// stamps the head probability from the strategy served (see Source.ServedProbability).
const pollMemory = 10 * time.Minute

// Root is a root span that reached the gateway: its service, its name (the operation) and the
// probability it was head-sampled with (1 when it was not).
type Root struct {
	Service, Operation string
	Probability        float64
}

// Source is what the head_sampling extension offers the tail sampler. Its methods are safe for
// concurrent use.
type Source interface {
	// AttachSampler connects the tail sampler: outputBudget is its budget in spans per second,
	// for the fleet when fleetWide, for one gateway otherwise.
	AttachSampler(outputBudget float64, fleetWide bool)
	// ObserveRoots counts root spans as they arrive, weighted by 1/probability.
	ObserveRoots(now time.Time, roots []Root)
	// ObserveState takes the tail sampler's rates after one of its adjustments.
	ObserveState(s State)
	// ServedProbability returns the probability last served for (service, operation) when the
	// service polled in the last 10 minutes.
	ServedProbability(service, operation string) (float64, bool)
}

// Find returns the head_sampling extension with the given ID, for the sampler whose
// configuration names it.
func Find(host component.Host, id component.ID) (Source, error) {
	return hostext.Find[Source](host, id, "head_sampling")
}

// published is what the servers answer from, replaced whole at every adjustment.
type published struct {
	strategies map[string]*encoded
	fallback   *encoded // the configured default
	full       bool     // max_services reached: unknown services get the overflow strategy
}

type encoded struct {
	*Strategy
	json, proto []byte
	kind        metric.MeasurementOption
}

var (
	kindAdaptive = metric.WithAttributeSet(attribute.NewSet(attribute.String("kind", "adaptive")))
	kindDefault  = metric.WithAttributeSet(attribute.NewSet(attribute.String("kind", "default")))
	kindOverflow = metric.WithAttributeSet(attribute.NewSet(attribute.String("kind", "overflow")))
)

func encode(s *Strategy, kind metric.MeasurementOption) *encoded {
	return &encoded{Strategy: s, json: encodeJSON(s), proto: encodeProto(s), kind: kind}
}

type headSampling struct {
	cfg       *Config
	logger    *zap.Logger
	telemetry *metadata.TelemetryBuilder
	// operationSeries caps the per-operation probability series at telemetry_operation_limit.
	operationSeries *cardinality.Labeler
	now             func() time.Time

	mu      sync.Mutex
	planner *planner
	polls   map[string]time.Time // by service with a strategy, last poll

	current  atomic.Pointer[published]
	fallback *encoded // the default strategy, for services never seen

	loop            *periodic.Loop
	httpServer      *http.Server
	grpcServer      *grpc.Server
	unsubscribe     func()
	servers         sync.WaitGroup
	httpAddr, gAddr net.Addr
}

var _ Source = (*headSampling)(nil)

func newExtension(set extension.Settings, cfg *Config) (*headSampling, error) {
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	e := &headSampling{cfg: cfg, logger: set.Logger, telemetry: tb, now: time.Now, planner: newPlanner(cfg), polls: map[string]time.Time{},
		operationSeries: cardinality.NewLabeler(cfg.TelemetryOperationLimit, cardinality.LabelPeriod, time.Now)}
	e.fallback = encode(&Strategy{DefaultProbability: cfg.DefaultProbability, LowerBound: cfg.LowerBoundTracesPerSecond, Default: true}, kindDefault)
	e.current.Store(&published{strategies: map[string]*encoded{}, fallback: e.fallback})
	return e, nil
}

func (e *headSampling) Start(_ context.Context, host component.Host) error {
	if e.cfg.Fleet != nil {
		membership, err := fleetextension.FromHost(host, *e.cfg.Fleet)
		if err != nil {
			return fmt.Errorf("fleet: %w", err)
		}
		e.unsubscribe = membership.Subscribe(func(size int) {
			e.mu.Lock()
			e.planner.fleet = size
			e.mu.Unlock()
		})
	}
	if ep := e.cfg.HTTP.Endpoint; ep != "" {
		ln, err := net.Listen("tcp", ep)
		if err != nil {
			return errors.Join(fmt.Errorf("http.endpoint %q: %w", ep, err), e.stop())
		}
		e.httpAddr = ln.Addr()
		mux := http.NewServeMux()
		mux.HandleFunc("/sampling", e.serveHTTP)
		mux.HandleFunc("/", e.serveHTTP) // Jaeger agents also answer on /
		e.httpServer = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		e.servers.Add(1)
		go func() {
			defer e.servers.Done()
			if err := e.httpServer.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				e.logger.Error("Head sampling HTTP server stopped", zap.Error(err))
			}
		}()
	}
	if ep := e.cfg.GRPC.Endpoint; ep != "" {
		ln, err := net.Listen("tcp", ep)
		if err != nil {
			return errors.Join(fmt.Errorf("grpc.endpoint %q: %w", ep, err), e.stop())
		}
		e.gAddr = ln.Addr()
		e.grpcServer = grpc.NewServer(grpc.ForceServerCodecV2(rawCodec{}))
		e.grpcServer.RegisterService(&samplingManagerDesc, e)
		e.servers.Add(1)
		go func() {
			defer e.servers.Done()
			if err := e.grpcServer.Serve(ln); err != nil {
				e.logger.Error("Head sampling gRPC server stopped", zap.Error(err))
			}
		}()
	}
	e.loop = periodic.Start(e.cfg.AdjustInterval, func(context.Context) { e.adjust() })
	return nil
}

func (e *headSampling) Shutdown(context.Context) error {
	err := e.stop()
	e.telemetry.Shutdown()
	return err
}

func (e *headSampling) stop() error {
	e.loop.Stop()
	if e.unsubscribe != nil {
		e.unsubscribe()
		e.unsubscribe = nil
	}
	var err error
	if e.httpServer != nil {
		err = e.httpServer.Close()
	}
	if e.grpcServer != nil {
		e.grpcServer.Stop()
	}
	e.servers.Wait()
	return err
}

// AttachSampler implements Source.
func (e *headSampling) AttachSampler(outputBudget float64, fleetWide bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.planner.outputBudget = outputBudget
	e.planner.outputPerGateway = !fleetWide
}

// ObserveRoots implements Source.
func (e *headSampling) ObserveRoots(now time.Time, roots []Root) {
	e.mu.Lock()
	for _, r := range roots {
		e.planner.observeRoot(now, r.Service, r.Operation, r.Probability)
	}
	e.mu.Unlock()
}

// ObserveState implements Source.
func (e *headSampling) ObserveState(s State) {
	e.mu.Lock()
	e.planner.observeState(s)
	e.mu.Unlock()
}

// ServedProbability implements Source.
func (e *headSampling) ServedProbability(service, operation string) (float64, bool) {
	e.mu.Lock()
	last, ok := e.polls[service]
	e.mu.Unlock()
	if !ok || e.now().Sub(last) > pollMemory {
		return 0, false
	}
	return e.lookup(service).Probability(operation), true
}

// adjust recomputes and publishes the strategies.
func (e *headSampling) adjust() {
	now := e.now()
	e.mu.Lock()
	strategies := e.planner.adjust(now)
	full := len(e.planner.services) >= e.cfg.MaxServices
	budget, estimated, measured := e.planner.inputBudget(), e.planner.estimated, e.planner.arriving
	for s, t := range e.polls {
		if now.Sub(t) > pollMemory {
			delete(e.polls, s)
		}
	}
	e.mu.Unlock()
	p := &published{strategies: make(map[string]*encoded, len(strategies)), fallback: e.fallback, full: full}
	ctx := context.Background()
	for name, s := range strategies {
		kind := kindAdaptive
		if name == OverflowName {
			kind = kindOverflow
		}
		p.strategies[name] = encode(s, kind)
		for _, op := range s.Operations {
			if e.operationSeries.Label(name+"\x00"+op.Operation) == cardinality.Overflow {
				continue // past telemetry_operation_limit: served, not reported
			}
			e.telemetry.HeadSamplingOperationProbability.Record(ctx, op.Probability, metric.WithAttributes(attribute.String("service", name), attribute.String("operation", op.Operation)))
		}
		e.telemetry.HeadSamplingOperationProbability.Record(ctx, s.DefaultProbability, metric.WithAttributes(attribute.String("service", name), attribute.String("operation", OverflowName)))
	}
	e.current.Store(p)
	e.telemetry.HeadSamplingInputRate.Record(ctx, budget, metric.WithAttributes(attribute.String("rate", "budget")))
	e.telemetry.HeadSamplingInputRate.Record(ctx, estimated, metric.WithAttributes(attribute.String("rate", "estimated")))
	e.telemetry.HeadSamplingInputRate.Record(ctx, measured, metric.WithAttributes(attribute.String("rate", "measured")))
}

// lookup returns the strategy for a service: its own, the overflow one when the bound on
// services is reached, or the configured default.
func (e *headSampling) lookup(service string) *encoded {
	p := e.current.Load()
	if s, ok := strategyOf(p.strategies, p.full, service); ok {
		return s
	}
	return p.fallback
}

// poll answers one poll and counts it.
func (e *headSampling) poll(service string, transport metric.MeasurementOption) *encoded {
	s := e.lookup(service)
	ctx := context.Background()
	e.telemetry.HeadSamplingStrategiesServed.Add(ctx, 1, transport, s.kind)
	name := "_default"
	if !s.Default {
		name = s.Service
	}
	e.telemetry.HeadSamplingPolls.Add(ctx, 1, metric.WithAttributes(attribute.String("service", name)))
	e.mu.Lock()
	if _, ok := e.polls[service]; ok || len(e.polls) < e.cfg.MaxServices {
		e.polls[service] = e.now()
	}
	e.mu.Unlock()
	return s
}

var (
	transportHTTP = metric.WithAttributeSet(attribute.NewSet(attribute.String("transport", "http")))
	transportGRPC = metric.WithAttributeSet(attribute.NewSet(attribute.String("transport", "grpc")))
)

// serveHTTP answers GET /sampling?service=NAME as Jaeger does.
func (e *headSampling) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		http.Error(w, "method not allowed: use GET /sampling?service=NAME", http.StatusMethodNotAllowed)
		return
	}
	service, err := serviceParam(r.URL.RawQuery)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s := e.poll(service, transportHTTP)
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(s.json)
}
