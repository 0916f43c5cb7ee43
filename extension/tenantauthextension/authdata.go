package tenantauthextension

import (
	"slices"

	"go.opentelemetry.io/collector/client"

	"github.com/tailwise/tailwise/internal/tenantid"
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

var attributeNames = []string{tenantid.AttributeTenant, tenantid.AttributeTenants, tenantid.AttributeSubject, tenantid.AttributeRefusal}

func (a authData) GetAttribute(name string) any {
	switch name {
	case tenantid.AttributeTenant:
		return a.tenant
	case tenantid.AttributeTenants:
		return slices.Clone(a.tenants)
	case tenantid.AttributeSubject:
		return a.subject
	case tenantid.AttributeRefusal:
		return a.refusal
	}
	return nil
}

func (authData) GetAttributeNames() []string { return slices.Clone(attributeNames) }
