/**
 * The KCP transport's implementation. This package is the top floor: the {@code Network} a caller
 * holds ({@link gladius.p2p.kcp.internal.KcpNetwork}, found through
 * {@link gladius.p2p.kcp.internal.KcpNetworkProvider}) and the simulator's engine
 * ({@link gladius.p2p.kcp.internal.VirtualNetworks}, the one class {@code gladius.p2p.sim} reaches:
 * this package is exported to it alone). Depends on the api, Netty and JCTools, never on a plugin.
 *
 * <h2>Floors</h2>
 * Each package uses only the floors below it; each package-info says what it may use and
 * {@code LayersTest} fails the build if one reaches up (or the core reaches a Netty channel).
 * Each class owns its state and changes no other class's fields; calls go down, and up only
 * through the narrow callbacks named.
 * <pre>
 *  internal          KcpNetwork        the Network a caller holds: arguments, lifecycle, encoding;
 *                                      owns the settings, counters, PeerTable and PluginDispatcher,
 *                                      and hands them down at listen to the Host its Hosting binds
 *                    VirtualNetworks   runs many networks' cores, plugins and all, on one virtual
 *                                      clock over simulated links (the simulator's engine): the
 *                                      same calls as the host package, as events
 *  internal.host     Hosting, Host     where a network runs and what it holds of its driver once
 *                                      listening: SharedResources and NettyDriver on sockets,
 *                                      VirtualNetworks in a simulation
 *                    NettyDriver       runs the core on a Netty channel: reads into it, one timer at
 *                                      its next deadline, a flush after every call; other threads
 *                                      hop onto the loop here
 *                    UdpEndpoint       the socket and its event loop, the core's Driver: bind,
 *                                      write, flush, clock, close; on epoll joins runs of datagrams
 *                                      to one peer into one GSO send
 *                    SocketIo          kcp.io: native epoll or NIO, and why auto chose which
 *  ---- internal.core: the protocol core; no socket, no executor, no clock of its own (Driver gives
 *       time and takes datagrams out; VirtualNetworks, and VirtualNet in the tests, drive it in
 *       virtual time) ----
 *                    SessionLayer      demultiplexes datagrams to sessions (RELAYED only from relays
 *                                      this node chose or reserved with), services the sessions a
 *                                      batch touched, runs the housekeeping on its Timers; owns the
 *                                      SessionTable (current and pending sessions), its Paths and
 *                                      the node's record
 *                    Admission         who may open a session (kcp.max-sessions, per-IP, handshakes
 *                                      per second)
 *                    Session           one session's state machine: tags, plain or Noise handshake
 *                                      (its Handshake), the key check, keepalive and timeouts,
 *                                      records in control frames; tells the layer only closed(),
 *                                      established(), waitForRoom(), observed(), carried()
 *                    Paths             every way but straight at an address: the relays a dial may
 *                                      use, which relayed datagrams count and through whom, the
 *                                      reservations held behind a NAT, relaying for others (Relay,
 *                                      Reservations); the layer hands it what sessions carry
 *                    Link              how one session reaches its peer: direct, or through which
 *                                      relay (a dial may try several), the way the datagram in hand
 *                                      came, the punching of a relayed one; moves only once a
 *                                      handshake step or datagram proves itself
 *                    Wire              an established session's datagrams, plain or sealed
 *                    Stream            the KCP engine on a clock without the loop's stalls, frames
 *                                      and control frames in and out, its update timer
 *                    KcpEngine         KCP's ARQ in stream mode over arrays (ikcp.c's wire format):
 *                                      windows, ACKs, resends, the RTO; copies what it keeps
 *                    InFlight          a Stream's messages the peer has not acknowledged
 *                    SendControl       a Stream's answer to overload: its RTT, the timeout floor,
 *                                      the window, the resend back-off; arithmetic only
 *                    Relay             relaying for others: reservations, circuits, their limits
 *                    Reservations      the relays this node, behind a NAT, asks to carry sessions
 *                    NodeRecords       signed node records: made with the node's identity, checked
 *                    PeerTable, Peer   the peers by address; a Peer owns its send queue, its counts,
 *                                      its redial back-off and its pinned key (any thread enqueues,
 *                                      only the driver dequeues)
 *                    Datagram, Frames  the wire formats: datagram headers and tags; length-prefixed
 *                                      frames with CRC-32C (KcpMessage is a decoded one)
 *                    Timers, Driver    the core's deadlines, and what it asks of whoever runs it
 *                    KcpSettings       the kcp.* settings, checked
 *  internal.dispatch PluginDispatcher  plugin callbacks in two lanes: off the event loop, or on it
 *                                      for plugins that never block (Plugin#nonBlocking), bounded in
 *                                      bytes; tells the layer when room comes back (onRoom); its
 *                                      executor, timer and way of waiting are the Hosting's, its
 *                                      loop the Host's
 *                    Queues            the JCTools queues between threads
 *  internal.observe  Counters, Snapshots, FlightEvents, NetworkBean, PluginBeans, Addresses: what
 *                                      is counted, the NetworkState snapshots, JFR events, JMX
 *  internal.secure   NoiseXX, SecureChannel (in place, on an Aead per key), CipherSuite (AES-GCM or
 *                                      ChaCha20-Poly1305), ReplayWindow, NodeIdentity (one secret:
 *                                      Ed25519 and the X25519 key derived from it): cryptography on
 *                                      the JDK
 * </pre>
 *
 * <h2>Send path</h2>
 * <pre>
 *  caller thread                           │ event loop (one per network, shared across networks)
 *                                          │
 *  KcpNetwork.broadcast(m)                 │
 *    every target full: drop + count, done │
 *    Frames.encode ─► one heap frame       │
 *    PeerTable.enqueue, for each peer:     │
 *      retainedDuplicate ─► Peer.offer ────┼─► SessionLayer.drainDirty (a dial if no session)
 *      (bounded MPSC; full: drop + count)  │     Session.send ─► Stream.send
 *    idle ─► pending: NettyDriver.wake     │       Stream.pump: Peer.poll ─► KcpEngine.send (copied)
 *                                          │       KcpEngine.update ─► Wire.data
 *                                          │         (its datagram buffers leave room: HeaderRoom)
 *                                          │         plain:  Datagram.data (tags in front)
 *                                          │         sealed: SecureChannel.seal in KCP's buffer
 *                                          │       ─► UdpEndpoint.write … one flush per batch
 *                                          │         (epoll: sendmmsg; equal runs as one GSO send)
 * </pre>
 *
 * <h2>Receive path</h2>
 * <pre>
 *  event loop                                               │ plugin executor (shared)
 *                                                           │
 *  UdpEndpoint's channel (epoll: GRO runs, 64 KiB a read,  │
 *    cut by GroRuns; else 16 per recvmmsg)                  │
 *    ─► NettyDriver.channelRead ─► SessionLayer.receive     │
 *    Datagram.read (header, tags); SessionTable.get(sender) │
 *    HELLO…/REFUSE: Admission, Session's handshake steps    │
 *    DATA (plain): Session.onData                           │
 *    SEALED: Session.onSealed ─► Wire.open (replay window,  │
 *            AEAD) ─► inner DATA / PING / CLOSE             │
 *      DATA segments ─► Stream.input (checked; ACKs' echoed │
 *        times ─► SendControl; KcpEngine.input copies data  │
 *        into its window, keeping nothing of the read)      │
 *  channelReadComplete ─► readComplete: per touched session │
 *    Session.service ─► Stream.service: KcpEngine.received  │
 *    ─► Frames.Reader (length, read where the engine holds  │
 *       it into its frame's array, CRC-32C)                 │
 *    ─► PluginDispatcher.message (MPSC) ────────────────────┼─► every plugin that may block, in order, serially
 *       (non-blocking plugins: a task on this same loop,    │
 *        after the read burst)                              │
 *    (no room: stop reading, Owner.waitForRoom; KCP's       │
 *     window holds the sender back; onRoom ─► layer)        │
 * </pre>
 */
package gladius.p2p.kcp.internal;
