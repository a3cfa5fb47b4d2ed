-- What each load script reports: one line that build/load.sh and build/alloc.sh parse. Answers other than 200 count as
-- errors, so a run that was refused (an expired token, a step-up) cannot pass for a fast one.
function done(summary, latency, requests)
  io.write(string.format("requests=%d rps=%.0f p50_us=%d p99_us=%d errors=%d\n",
    summary.requests, summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(99),
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
