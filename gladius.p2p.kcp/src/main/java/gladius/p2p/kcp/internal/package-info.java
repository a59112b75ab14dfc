/**
 * The KCP transport's implementation. Not exported; reached through
 * {@link gladius.p2p.kcp.internal.KcpNetworkProvider}. Depends on the api, Netty, JCTools and the
 * KCP engine of {@code io.jpower.kcp.netty}, never on a plugin.
 *
 * <h2>Send path</h2>
 * <pre>
 *  caller thread                          │ event loop (one per network, shared across networks)
 *                                         │
 *  broadcast(m)                           │
 *    Frames.encode ─► one pooled frame    │
 *    for each writable peer:              │
 *      retainedDuplicate ─► Peer.queue ───┼─► SessionLayer.drainDirty
 *      (bounded MPSC; full: drop+count)   │     Session.pump: queue ─► Kcp.send (stream mode)
 *    wake the loop once                   │     Kcp.update ─► Session.out ─► Datagram.data
 *                                         │       ─► channel.write … one flush per batch
 * </pre>
 *
 * <h2>Receive path</h2>
 * <pre>
 *  event loop                                           │ plugin executor (shared)
 *                                                       │
 *  DatagramPacket ─► Datagram.read (header, tags)       │
 *    HELLO/WELCOME/PING/CLOSE/RESET: session layer      │
 *    DATA: Datagram.segmentsValid ─► Kcp.input          │
 *  channelReadComplete: per touched session             │
 *    Kcp.recv ─► stream ─► Frames.Reader (len, CRC-32C) │
 *    ─► PluginDispatcher.message (MPSC) ────────────────┼─► every plugin, in order, serially
 *    (no room: stop reading; KCP's window holds the     │
 *     sender back until the plugins catch up)           │
 * </pre>
 */
package gladius.p2p.kcp.internal;
