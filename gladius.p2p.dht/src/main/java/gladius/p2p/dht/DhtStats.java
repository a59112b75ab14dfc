package gladius.p2p.dht;

/**
 * The DHT's figures at one moment (also as JMX attributes and Prometheus series, as
 * {@link gladius.p2p.NetworkState}'s are). Counters only grow.
 *
 * @param knownNodes nodes in the routing table
 * @param records records kept for others
 * @param providers provider entries kept for others
 * @param recordBytes bytes of the records kept
 * @param lookups lookups started
 * @param requestsSent requests sent
 * @param timeouts requests that went unanswered
 * @param requestsServed requests answered
 * @param malformed messages that were no DHT message, dropped
 * @param unsolicited answers to no request in flight (late, or from another node than the one asked), dropped
 * @param invalidRecords records that did not check out (signature, expiry, place), dropped
 * @param invalidEntries node entries that did not check out, dropped
 * @param refusedBySubnet nodes kept out of the table by the subnet limits
 * @param refusedForRoom records and provider entries refused because the store was full
 * @param dataDirFailures writes to (or reads from) {@code dht.data-dir} that failed, each logged
 */
public record DhtStats(int knownNodes, int records, int providers, long recordBytes, long lookups, long requestsSent,
                       long timeouts, long requestsServed, long malformed, long unsolicited, long invalidRecords,
                       long invalidEntries, long refusedBySubnet, long refusedForRoom, long dataDirFailures) {}
