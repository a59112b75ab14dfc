/**
 * The contract applications and plugins program against: {@link gladius.p2p.Network},
 * {@link gladius.p2p.Plugin}, {@link gladius.p2p.Message}, {@link gladius.p2p.NodeAddress} and the
 * {@link gladius.p2p.NetworkState} snapshot. Depends on {@code java.base} only.
 *
 * <p>Additions to the first release's contract (each documented where it stands):
 * {@link gladius.p2p.NetworkState#pluginFailures()}; {@link gladius.p2p.Network#schedule} (a
 * plugin's timed work, serial with its callbacks) and {@link gladius.p2p.Network#removePlugin};
 * {@link gladius.p2p.Network#listen} and {@link gladius.p2p.Network#registerPlugin} return once
 * the plugins they start have run their startup; {@link gladius.p2p.Network#knownSettings()}, from
 * {@link gladius.p2p.spi.PluginProvider#namespace()} and {@code defaults()} (on both providers);
 * {@link gladius.p2p.NetworkState#staticKey()}, {@link gladius.p2p.NetworkState#observedAddresses()},
 * {@link gladius.p2p.PeerState#relay()} and the relay's counters
 * ({@link gladius.p2p.NetworkState#relayedDatagrams()} and the three after it);
 * {@link gladius.p2p.Plugin#nonBlocking()} (a plugin that never blocks may run on the I/O thread);
 * {@link gladius.p2p.PeerState#cipher()}.
 */
package gladius.p2p;
