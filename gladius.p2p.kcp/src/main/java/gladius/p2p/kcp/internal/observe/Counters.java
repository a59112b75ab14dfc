package gladius.p2p.kcp.internal.observe;

import java.util.concurrent.atomic.LongAdder;

/** A network's counters; written from the event loop and from callers, read in snapshots. */
public final class Counters {
    public final LongAdder messagesSent = new LongAdder();
    public final LongAdder messagesReceived = new LongAdder();
    public final LongAdder bytesSent = new LongAdder();
    public final LongAdder bytesReceived = new LongAdder();
    public final LongAdder messagesDropped = new LongAdder();
    public final LongAdder checksumFailures = new LongAdder();
    public final LongAdder malformedInputs = new LongAdder();
    public final LongAdder sessionsRefused = new LongAdder();
    public final LongAdder unauthenticatedDatagrams = new LongAdder();
    /** Relaying for others (kcp.relay): datagrams and their bytes forwarded, datagrams refused. */
    public final LongAdder relayedDatagrams = new LongAdder();
    public final LongAdder relayedBytes = new LongAdder();
    public final LongAdder relayDrops = new LongAdder();
}
