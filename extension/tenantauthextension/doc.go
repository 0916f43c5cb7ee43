//go:generate mdatagen metadata.yaml

// Package tenantauthextension authenticates OTLP requests and decides which tenant their data
// belongs to: from a hashed bearer token, a basic-auth user or an mTLS client certificate, and
// from a tenant-claim header only where the credential may speak for that tenant.
package tenantauthextension
