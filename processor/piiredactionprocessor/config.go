package piiredactionprocessor // import "github.com/tailwise/tailwise/processor/piiredactionprocessor"

import "github.com/tailwise/tailwise/processor/piiredactionprocessor/redact"

// Config is the processor's configuration: the redaction policy, which
// `tailctl redact` reads from the same YAML. Its Validate method checks
// actions, detector names, custom rules, allow-list patterns and the
// pseudonym key source. See README.md for every option.
type Config = redact.Config
