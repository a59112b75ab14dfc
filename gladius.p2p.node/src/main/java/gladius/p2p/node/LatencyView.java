package gladius.p2p.node;

import gladius.p2p.Network;
import gladius.p2p.latency.LatencyAudit;
import gladius.p2p.latency.PeerLatency;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/** What the latency plugin knows; used only when its module is present. */
final class LatencyView {

    private LatencyView() {}

    static Collection<PeerLatency> peers(Network network) {
        return network.plugin(LatencyAudit.class).map(audit -> audit.peers().values()).orElse(List.of());
    }

    /** The median of the peers' medians, over peers with samples. */
    static Optional<Duration> medianOfMedians(Network network) {
        List<Duration> medians = peers(network).stream().filter(p -> p.samples() > 0).map(PeerLatency::median).sorted()
                .collect(Collectors.toList());
        return medians.isEmpty() ? Optional.empty() : Optional.of(medians.get(medians.size() / 2));
    }
}
