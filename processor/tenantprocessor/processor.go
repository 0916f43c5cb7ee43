package tenantprocessor

import (
	"context"
	"errors"
	"fmt"
	"runtime/metrics"
	"slices"
	"strings"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.uber.org/zap"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/tailwise/tailwise/extension/fleetextension"
	"github.com/tailwise/tailwise/internal/cardinality"
	"github.com/tailwise/tailwise/internal/filepoll"
	"github.com/tailwise/tailwise/internal/periodic"
)

type tenantProcessor struct {
	cfg       *Config
	logger    *zap.Logger
	telemetry *telemetry
	quotas    *quotaTable
	now       func() time.Time
	heapBytes func() uint64

	poller *filepoll.Poller
	// unsubscribeFleet ends the notifications of the fleet extension, if any.
	unsubscribeFleet func()
	// sweeps runs sweep every memory_pressure.check_interval.
	sweeps *periodic.Loop
}

func newTenantProcessor(cfg *Config, set component.TelemetrySettings, sig signal) (*tenantProcessor, error) {
	tel, err := newTelemetry(set, sig, cfg.TelemetryTenantLimit)
	if err != nil {
		return nil, err
	}
	return &tenantProcessor{
		cfg:       cfg,
		logger:    set.Logger,
		telemetry: tel,
		quotas:    newQuotaTable(sig, cfg.Quotas, cfg.MemoryPressure.CheckInterval, tel.tracked),
		now:       time.Now,
		heapBytes: readHeapBytes,
	}, nil
}

func (*tenantProcessor) Capabilities() consumer.Capabilities {
	return consumer.Capabilities{MutatesData: true}
}

func (p *tenantProcessor) Start(_ context.Context, host component.Host) error {
	if p.cfg.Fleet != nil {
		fleet, err := fleetextension.FromHost(host, *p.cfg.Fleet)
		if err != nil {
			return fmt.Errorf("fleet: %w", err)
		}
		p.unsubscribeFleet = fleet.Subscribe(p.quotas.setFleetSize)
	}
	if path := p.cfg.Quotas.OverridesFile; path != "" {
		if err := p.reloadOverrides(); err != nil {
			return fmt.Errorf("quotas::overrides_file: %s: %w", path, err)
		}
		p.poller = filepoll.New(path, p.cfg.Quotas.ReloadInterval, p.reloadOverrides, p.reportedOverrides)
		p.poller.Start()
	}
	p.sweeps = periodic.Start(p.cfg.MemoryPressure.CheckInterval, func(context.Context) { p.sweep() })
	return nil
}

func (p *tenantProcessor) Shutdown(context.Context) error {
	if p.unsubscribeFleet != nil {
		p.unsubscribeFleet()
	}
	if p.poller != nil {
		p.poller.Stop()
	}
	p.sweeps.Stop()
	p.telemetry.shutdown()
	return nil
}

func (p *tenantProcessor) reloadOverrides() error {
	overrides, err := loadOverrides(p.cfg.Quotas.OverridesFile, p.cfg.Quotas.Default)
	if err != nil {
		return err
	}
	p.quotas.setOverrides(overrides)
	return nil
}

// reportedOverrides logs a reload after a change of the file; on failure the previous limits stay.
func (p *tenantProcessor) reportedOverrides(err error) {
	p.telemetry.reloaded(err == nil)
	if err != nil {
		p.logger.Error("Quota overrides not reloaded; the previous limits stay in force", zap.String("overrides_file", p.cfg.Quotas.OverridesFile), zap.Error(err))
		return
	}
	p.logger.Info("Quota overrides reloaded", zap.String("overrides_file", p.cfg.Quotas.OverridesFile))
}

// sweep evicts idle tenants and watches the heap against the soft limit.
func (p *tenantProcessor) sweep() {
	softLimit := p.cfg.MemoryPressure.SoftLimitMiB << 20
	p.quotas.sweep(p.now(), softLimit > 0 && p.heapBytes() > softLimit)
}

// heapObjectsMetric is the runtime's count of bytes in live and unswept heap objects, the
// figure memory_limiter reads as HeapAlloc, without stopping the world.
const heapObjectsMetric = "/memory/classes/heap/objects:bytes"

func readHeapBytes() uint64 {
	sample := []metrics.Sample{{Name: heapObjectsMetric}}
	metrics.Read(sample)
	return sample[0].Value.Uint64()
}

func (p *tenantProcessor) consumeTraces(next consumer.Traces) func(context.Context, ptrace.Traces) error {
	return func(ctx context.Context, td ptrace.Traces) error {
		return consume(p, ctx, td, tracesData, next.ConsumeTraces)
	}
}

func (p *tenantProcessor) consumeLogs(next consumer.Logs) func(context.Context, plog.Logs) error {
	return func(ctx context.Context, ld plog.Logs) error {
		return consume(p, ctx, ld, logsData, next.ConsumeLogs)
	}
}

func (p *tenantProcessor) consumeMetrics(next consumer.Metrics) func(context.Context, pmetric.Metrics) error {
	return func(ctx context.Context, md pmetric.Metrics) error {
		return consume(p, ctx, md, metricsData, next.ConsumeMetrics)
	}
}

// consume assigns each resource its tenant, stamps it, splits the request per tenant, and
// passes on each tenant's part its quota admits.
func consume[T any](p *tenantProcessor, ctx context.Context, data T, sig signalData[T], next func(context.Context, T) error) error {
	id, why := p.identify(ctx)
	if why != "" {
		return p.refuseRequest(cardinality.None, sig.items(data), why)
	}
	tenants, order, err := assignTenants(p, data, sig, id)
	if err != nil || len(order) == 0 {
		return err
	}
	for i := range tenants {
		sig.resource(data, i).Attributes().PutStr(p.cfg.StampAttribute, tenants[i])
	}
	parts := []T{data}
	if len(order) > 1 {
		parts = sig.split(data, tenants)
	}
	var errs []error
	var refusedTenants []string
	var retryAfter time.Duration
	for i, part := range parts {
		tenant := order[i]
		items, bytes := sig.items(part), sig.size(part)
		if why, wait := p.quotas.admit(tenant, items, bytes, p.now()); why != "" {
			p.telemetry.refused(tenant, items, why)
			refusedTenants = append(refusedTenants, tenant+" ("+string(why)+")")
			retryAfter = max(retryAfter, wait)
			continue
		}
		p.telemetry.accepted(tenant, items, bytes)
		errs = append(errs, next(withTenant(ctx, p.cfg.Header, tenant), part))
	}
	if len(refusedTenants) > 0 {
		errs = append(errs, overQuota(refusedTenants, retryAfter))
	}
	return errors.Join(errs...)
}

// assignTenants returns the tenant of each resource and the distinct tenants in order of
// first appearance, or the refusal of the whole request if a resource claims a tenant its
// credential may not speak for.
func assignTenants[T any](p *tenantProcessor, data T, sig signalData[T], id identity) (tenants, order []string, err error) {
	tenants = make([]string, sig.resources(data))
	quarantined := 0
	for i := range tenants {
		tenant, isQuarantined, why := p.resourceTenant(sig.resource(data, i), id)
		if why != "" {
			return nil, nil, p.refuseRequest(id.tenant, sig.items(data), why)
		}
		if isQuarantined {
			quarantined++
		}
		tenants[i] = tenant
		if !slices.Contains(order, tenant) {
			order = append(order, tenant)
		}
	}
	if quarantined > 0 {
		p.telemetry.quarantined(id.tenant, quarantined)
	}
	return tenants, order, nil
}

// refuseRequest counts and returns the non-retryable refusal of a whole request.
func (p *tenantProcessor) refuseRequest(tenant string, items int, why reason) error {
	if tenant == "" {
		tenant = cardinality.None
	}
	p.telemetry.refused(tenant, items, why)
	switch why {
	case reasonInvalidTenant:
		return status.Error(codes.InvalidArgument, "tenant: the request's tenant is not a valid tenant ID (at most 150 letters, digits or !-_.*'() characters)")
	case reasonInvalidClaim:
		return status.Error(codes.InvalidArgument, "tenant: the claimed tenant must be one tenant ID of at most 150 letters, digits or !-_.*'() characters")
	case reasonUnknownClaim:
		return status.Error(codes.PermissionDenied, "tenant: the claimed tenant is unknown")
	case reasonClaimNotAllowed:
		if tenant == cardinality.None {
			return status.Error(codes.PermissionDenied, "tenant: the credential may not send data for the claimed tenant")
		}
		return status.Errorf(codes.PermissionDenied, "tenant: resource attribute %s names a tenant the credential of %s may not send data for", p.cfg.TrustedResourceAttribute, tenant)
	default:
		return status.Error(codes.PermissionDenied, "tenant: the request has no tenant; authenticate the receiver with the tenant_auth extension, or set default_tenant or unauthenticated_resource_attribute")
	}
}

// overQuota is the retryable refusal of the tenants over their quota: gRPC RESOURCE_EXHAUSTED
// with a RetryInfo, which the OTLP receiver answers over HTTP as 429 with Retry-After.
func overQuota(tenants []string, retryAfter time.Duration) error {
	retryAfter = max(retryAfter.Round(time.Second), time.Second)
	st := status.Newf(codes.ResourceExhausted, "tenant over quota, retry in %v: %s", retryAfter, strings.Join(tenants, ", "))
	if detailed, err := st.WithDetails(&errdetails.RetryInfo{RetryDelay: durationpb.New(retryAfter)}); err == nil {
		st = detailed
	}
	return st.Err()
}
