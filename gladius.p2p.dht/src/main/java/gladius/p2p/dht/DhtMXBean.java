package gladius.p2p.dht;

/**
 * The DHT's figures over JMX ({@link DhtStats} one by one): the kcp transport shows a plugin that
 * implements this as {@code gladius.p2p:type=Plugin,network="HOST:PORT",name=Dht}
 * (docs/OBSERVABILITY.md).
 */
public interface DhtMXBean {

    /** @return nodes in the routing table */
    int getKnownNodes();

    /** @return records kept for others */
    int getRecords();

    /** @return provider entries kept for others */
    int getProviders();

    /** @return bytes of the records kept */
    long getRecordBytes();

    /** @return lookups started */
    long getLookups();

    /** @return requests sent */
    long getRequestsSent();

    /** @return requests that went unanswered */
    long getTimeouts();

    /** @return requests answered */
    long getRequestsServed();

    /** @return messages that were no DHT message, dropped */
    long getMalformedMessages();

    /** @return answers to no request in flight, dropped */
    long getUnsolicitedAnswers();

    /** @return records that did not check out, dropped */
    long getInvalidRecords();

    /** @return node entries that did not check out, dropped */
    long getInvalidEntries();

    /** @return nodes kept out of the table by the subnet limits */
    long getRefusedBySubnet();

    /** @return records and provider entries refused for room */
    long getRefusedForRoom();

    /** @return failed reads and writes of the data directory */
    long getDataDirFailures();
}
