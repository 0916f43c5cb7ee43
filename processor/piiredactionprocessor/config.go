package piiredactionprocessor // import "github.com/tailwise/tailwise/processor/piiredactionprocessor"

import "github.com/tailwise/tailwise/processor/piiredactionprocessor/redact"

// Config is the processor's configuration: the redaction policy, which
// `tailctl redact` reads from the same YAML. Its Validate method checks
// actions, detector names, custom rules, allow-list patterns, the
// pseudonym key source and each tenant's ID and effective settings. See
// README.md for every option.
type Config = redact.Config
