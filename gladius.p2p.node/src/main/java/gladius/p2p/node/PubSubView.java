package gladius.p2p.node;

import gladius.p2p.Network;
import gladius.p2p.pubsub.PubSub;
import gladius.p2p.pubsub.PubSubStats;
import java.util.Optional;

/** The pubsub plugin as the status line shows it; only called when {@link Parts#pubsub()} (the module is read {@code static}). */
final class PubSubView {

    private PubSubView() {}

    /** "topics 1 delivered 50 mesh 6" for a node that takes part in topics; empty for one that takes part in none. */
    static Optional<String> summary(Network network) {
        return network.plugin(PubSub.class).filter(pubsub -> !pubsub.topics().isEmpty()).map(pubsub -> {
            PubSubStats stats = pubsub.stats();
            return "topics " + stats.topics() + " delivered " + stats.delivered() + " mesh " + stats.meshPeers();
        });
    }
}
