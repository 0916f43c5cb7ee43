package tenantprocessor

// signal identifies the kind of telemetry a request carries.
type signal int

const (
	signalTraces signal = iota
	signalLogs
	signalMetrics
)

func (s signal) String() string {
	return [...]string{"traces", "logs", "metrics"}[s]
}

// itemRate is the limit on the signal's items: spans, log records or data points.
func (l Limits) itemRate(s signal) float64 {
	return [...]float64{l.SpansPerSecond, l.LogRecordsPerSecond, l.DataPointsPerSecond}[s]
}
