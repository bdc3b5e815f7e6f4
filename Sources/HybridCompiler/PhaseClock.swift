import HybridDiagnostics

/// The wall time of a compile's phases, measured back to back (`compile --timings`).
struct PhaseClock {
    private var last = ContinuousClock.now
    private(set) var phases: [CompileReport.Phase] = []

    /// Ends the phase running since the last call (or since the clock started).
    mutating func end(_ name: String) {
        let now = ContinuousClock.now
        phases.append(CompileReport.Phase(name: name, seconds: (now - last).seconds))
        last = now
    }
}
