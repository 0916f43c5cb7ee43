package tenantauthextension

import (
	"slices"

	"go.opentelemetry.io/collector/client"

	"github.com/tailwise/tailwise/extension/tenantauthextension/tenancy"
)

// authData is the client.Info.Auth of an authenticated request.
type authData struct {
	subject string
	tenant  string
	// tenants are the tenants the request may speak for further down the pipeline.
	tenants []string
	// refusal is why the claim was refused, when the refusal is left to the tenant processor.
	refusal string
}

var _ client.AuthData = authData{}

var attributeNames = []string{tenancy.AttributeTenant, tenancy.AttributeTenants, tenancy.AttributeSubject, tenancy.AttributeRefusal}

func (a authData) GetAttribute(name string) any {
	switch name {
	case tenancy.AttributeTenant:
		return a.tenant
	case tenancy.AttributeTenants:
		return slices.Clone(a.tenants)
	case tenancy.AttributeSubject:
		return a.subject
	case tenancy.AttributeRefusal:
		return a.refusal
	}
	return nil
}

func (authData) GetAttributeNames() []string { return slices.Clone(attributeNames) }
