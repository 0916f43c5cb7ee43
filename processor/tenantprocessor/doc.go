//go:generate mdatagen metadata.yaml

// Package tenantprocessor stamps each resource with its tenant, splits requests that mix
// tenants, hands the tenant to the batch processor and exporters in the request metadata, and
// enforces per-tenant quotas with retryable refusals.
package tenantprocessor
