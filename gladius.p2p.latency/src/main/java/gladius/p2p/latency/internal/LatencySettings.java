package gladius.p2p.latency.internal;

import gladius.p2p.spi.SettingsReader;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code latency.*} settings, checked once.
 *
 * @param interval time between probes to each peer
 * @param window probes per peer the figures cover
 * @param timeout a probe not answered within this is lost
 * @param maxRtt delete peers whose median is longer, if set
 * @param maxLoss delete peers whose loss ratio is higher, if set
 * @param minSamples outcomes needed before a peer is judged
 */
record LatencySettings(Duration interval, int window, Duration timeout, Optional<Duration> maxRtt,
                       Optional<Double> maxLoss, int minSamples) {

    static final String PREFIX = "latency.";

    private static final Map<String, String> DEFAULTS = Map.of(
            "latency.interval", "1s",
            "latency.window", "100",
            "latency.timeout", "2s",
            "latency.max-rtt", "",
            "latency.max-loss", "",
            "latency.min-samples", "10");

    /** Every key this part reads, with its default ("" for none), for the provider's {@code defaults()}. */
    static Map<String, String> defaults() {
        return DEFAULTS;
    }

    static LatencySettings from(Map<String, String> settings) {
        SettingsReader r = SettingsReader.of(settings, PREFIX, DEFAULTS);
        LatencySettings s = new LatencySettings(
                r.duration("latency.interval", Duration.ofMillis(10), Duration.ofHours(1)),
                r.integer("latency.window", 1, 100_000),
                r.duration("latency.timeout", Duration.ofMillis(1), Duration.ofHours(1)),
                r.optionalDuration("latency.max-rtt", Duration.ofMillis(1), Duration.ofHours(1)),
                r.optionalDecimal("latency.max-loss", 0, 1),
                r.integer("latency.min-samples", 1, 100_000));
        if (s.minSamples > s.window) {
            throw SettingsReader.invalid("latency.min-samples", "at most latency.window (" + s.window + ")",
                    Integer.toString(s.minSamples), null);
        }
        return s;
    }
}
