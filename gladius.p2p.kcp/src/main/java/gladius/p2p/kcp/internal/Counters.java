package gladius.p2p.kcp.internal;

import java.util.concurrent.atomic.LongAdder;

/** A network's counters; written from the event loop and from callers, read in snapshots. */
final class Counters {
    final LongAdder messagesSent = new LongAdder();
    final LongAdder messagesReceived = new LongAdder();
    final LongAdder bytesSent = new LongAdder();
    final LongAdder bytesReceived = new LongAdder();
    final LongAdder messagesDropped = new LongAdder();
    final LongAdder checksumFailures = new LongAdder();
    final LongAdder malformedInputs = new LongAdder();
    final LongAdder sessionsRefused = new LongAdder();
    final LongAdder unauthenticatedDatagrams = new LongAdder();
    /** Relaying for others (kcp.relay): datagrams and their bytes forwarded, datagrams refused. */
    final LongAdder relayedDatagrams = new LongAdder();
    final LongAdder relayedBytes = new LongAdder();
    final LongAdder relayDrops = new LongAdder();
}
