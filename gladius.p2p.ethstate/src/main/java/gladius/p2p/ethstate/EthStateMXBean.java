package gladius.p2p.ethstate;

import java.util.Map;

/**
 * The signed state's figures over JMX: the kcp transport shows a plugin that implements this as
 * {@code gladius.p2p:type=Plugin,network="HOST:PORT",name=EthState} (docs/OBSERVABILITY.md).
 */
public interface EthStateMXBean {

    /** @return this node's Ethereum address, the signer of its entries */
    String getSignerAddress();

    /** @return entries held */
    int getEntries();

    /** @return validly signed entries older than the version held */
    long getSuperseded();

    /** @return received entries not applied, by reason (Rejection's names) */
    Map<String, Long> getRejections();
}
