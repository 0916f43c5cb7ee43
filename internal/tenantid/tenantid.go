// Package tenantid holds the rules of a valid tenant ID and how a tenant travels from the
// tenant_auth extension to the components that read it: the attribute names of the
// authentication data and the reasons of a refused claim.
package tenantid

import (
	"errors"
	"fmt"
)

// Attribute names of the client.Info.Auth data set by the tenant_auth extension.
const (
	// AttributeTenant is the tenant the request's data belongs to (a string).
	AttributeTenant = "tenant"
	// AttributeTenants lists every tenant the credential may speak for (a []string).
	AttributeTenants = "tenants"
	// AttributeSubject names the credential that authenticated the request (a string).
	AttributeSubject = "subject"
	// AttributeRefusal, when not empty, is why the request's tenant claim was refused; the
	// extension leaves the refusal to the tenant processor when configured to (a string).
	AttributeRefusal = "refusal"
)

// Reasons of a refused tenant claim, the values of AttributeRefusal.
const (
	RefusalInvalidTenant   = "invalid_tenant"
	RefusalUnknownTenant   = "unknown_tenant"
	RefusalClaimNotAllowed = "claim_not_allowed"
)

// What tenant_auth and the tenant processor do with a tenant claim the credential may not make
// (their on_claim_mismatch).
const (
	// ActionRefuse refuses the request.
	ActionRefuse = "refuse"
	// ActionQuarantine accepts the request for the quarantine tenant.
	ActionQuarantine = "quarantine"
)

// ValidateMismatchAction checks on_claim_mismatch and, when it quarantines, quarantine_tenant.
func ValidateMismatchAction(action, quarantineTenant string) error {
	switch action {
	case ActionRefuse:
		return nil
	case ActionQuarantine:
		if err := ValidateID(quarantineTenant); err != nil {
			return fmt.Errorf("quarantine_tenant: %w", err)
		}
		return nil
	}
	return fmt.Errorf("on_claim_mismatch: %q is not one of %q, %q", action, ActionRefuse, ActionQuarantine)
}

// DefaultHeader is the request header that claims a tenant (Loki, Mimir and Tempo use it).
const DefaultHeader = "X-Scope-OrgID"

// MaxIDLength is the longest tenant ID Loki, Mimir and Tempo accept, in bytes.
const MaxIDLength = 150

var errEmptyID = errors.New("tenant ID is empty")

// ValidateID reports whether id is a tenant ID that Loki, Mimir and Tempo accept: at most 150
// bytes of letters, digits and the characters !-_.*'() and neither "." nor "..".
func ValidateID(id string) error {
	switch {
	case id == "":
		return errEmptyID
	case len(id) > MaxIDLength:
		return fmt.Errorf("tenant ID is %d bytes long, the limit is %d", len(id), MaxIDLength)
	case id == "." || id == "..":
		return fmt.Errorf("tenant ID %q is not allowed", id)
	}
	for i := 0; i < len(id); i++ {
		if !allowedByte(id[i]) {
			return fmt.Errorf("tenant ID %q has the character %q at byte %d; allowed are letters, digits and !-_.*'()", id, id[i], i)
		}
	}
	return nil
}

func allowedByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	switch c {
	case '!', '-', '_', '.', '*', '\'', '(', ')':
		return true
	}
	return false
}
