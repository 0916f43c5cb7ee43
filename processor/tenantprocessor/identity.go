package tenantprocessor

import (
	"context"
	"slices"
	"strings"

	"go.opentelemetry.io/collector/client"
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/tailwise/tailwise/internal/tenantid"
)

// identity is the tenant of a request and the tenants its credential may speak for.
type identity struct {
	// tenant is empty for a request without authenticated tenant and without default tenant.
	tenant        string
	allowed       []string
	authenticated bool
}

func (id identity) mayClaim(tenant string) bool {
	return tenant == id.tenant || slices.Contains(id.allowed, tenant)
}

// claimRefusals maps the refusals the tenant_auth extension leaves to this processor.
var claimRefusals = map[string]reason{
	tenantid.RefusalInvalidTenant:   reasonInvalidClaim,
	tenantid.RefusalUnknownTenant:   reasonUnknownClaim,
	tenantid.RefusalClaimNotAllowed: reasonClaimNotAllowed,
}

// identify reads the tenant that the tenant_auth extension put in the request's client.Info.
func (p *tenantProcessor) identify(ctx context.Context) (identity, reason) {
	auth := client.FromContext(ctx).Auth
	var tenant string
	if auth != nil {
		if refusal, _ := auth.GetAttribute(tenantid.AttributeRefusal).(string); refusal != "" {
			if why, ok := claimRefusals[refusal]; ok {
				return identity{}, why
			}
			return identity{}, reasonClaimNotAllowed
		}
		tenant, _ = auth.GetAttribute(tenantid.AttributeTenant).(string)
	}
	if tenant == "" {
		if p.cfg.DefaultTenant == "" && p.cfg.UnauthenticatedResourceAttribute == "" {
			return identity{}, reasonMissingTenant
		}
		return identity{tenant: p.cfg.DefaultTenant}, ""
	}
	if tenantid.ValidateID(tenant) != nil {
		return identity{}, reasonInvalidTenant
	}
	allowed, _ := auth.GetAttribute(tenantid.AttributeTenants).([]string)
	return identity{tenant: tenant, allowed: allowed, authenticated: true}, ""
}

// stringAttribute returns the non-empty string value of a resource attribute.
func stringAttribute(res pcommon.Resource, name string) (string, bool) {
	if name == "" {
		return "", false
	}
	v, ok := res.Attributes().Get(name)
	if !ok || v.Type() != pcommon.ValueTypeStr || v.Str() == "" {
		return "", false
	}
	return v.Str(), true
}

// resourceTenant is the tenant of one resource: the one its trusted attribute names, if the
// credential may speak for it, else the request's.
func (p *tenantProcessor) resourceTenant(res pcommon.Resource, id identity) (tenant string, quarantined bool, why reason) {
	if !id.authenticated {
		return p.unauthenticatedTenant(res, id)
	}
	claim, ok := stringAttribute(res, p.cfg.TrustedResourceAttribute)
	if !ok || claim == id.tenant {
		return id.tenant, false, ""
	}
	if id.mayClaim(claim) {
		return claim, false, ""
	}
	if p.cfg.OnClaimMismatch == ActionQuarantine {
		return p.cfg.QuarantineTenant, true, ""
	}
	return "", false, reasonClaimNotAllowed
}

// withTenant returns ctx whose client metadata carries tenant under header, for the batch
// processor's metadata_keys and the headers_setter extension's from_context.
func withTenant(ctx context.Context, header, tenant string) context.Context {
	info := client.FromContext(ctx)
	key := strings.ToLower(header)
	metadata := map[string][]string{key: {tenant}}
	for k := range info.Metadata.Keys() {
		if k != key {
			metadata[k] = info.Metadata.Get(k)
		}
	}
	info.Metadata = client.NewMetadata(metadata)
	return client.NewContext(ctx, info)
}

// unauthenticatedTenant is the tenant of a resource of a request made inside the collector.
func (p *tenantProcessor) unauthenticatedTenant(res pcommon.Resource, id identity) (string, bool, reason) {
	tenant, ok := stringAttribute(res, p.cfg.UnauthenticatedResourceAttribute)
	switch {
	case ok && tenantid.ValidateID(tenant) == nil:
		return tenant, false, ""
	case ok:
		return "", false, reasonInvalidTenant
	case id.tenant == "":
		return "", false, reasonMissingTenant
	}
	return id.tenant, false, ""
}
