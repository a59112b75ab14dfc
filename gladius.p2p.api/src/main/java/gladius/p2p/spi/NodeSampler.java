package gladius.p2p.spi;

import gladius.p2p.NodeAddress;
import gladius.p2p.NodeKey;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A plugin that can name nodes from all over the network, not only its node's peers: what one
 * plugin offers another without either depending on the other, found with
 * {@code network.plugin(NodeSampler.class)}. The DHT implements it with random walks (a lookup of
 * a random ID: the nodes closest to a random point are a uniform sample of the network, however
 * large); discovery fills its route table from it when one is there. Added to the first release's
 * contract.
 */
public interface NodeSampler {

    /**
     * A node found, with the key its signed record names in a network with keys (the record was
     * checked: the key's owner said it is at this address).
     *
     * @param address where it is
     * @param key the key it must prove there, in a network with keys
     */
    record Sampled(NodeAddress address, Optional<NodeKey> key) {
        /**
         * A node found, both parts required.
         *
         * @param address where it is
         * @param key the key it must prove there, in a network with keys
         */
        public Sampled {
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(key, "key");
        }
    }

    /**
     * Up to {@code n} nodes of the network, this node excluded, found by a walk from a random
     * point. The future completes on the sampler's plugin thread: a plugin hops back onto its own
     * with {@link gladius.p2p.Network#schedule} before it touches its state.
     *
     * @param n how many at most, 1 or more
     * @return the nodes found (possibly fewer, or none)
     * @throws IllegalArgumentException if {@code n} is less than 1
     */
    CompletableFuture<List<Sampled>> sample(int n);
}
