package gladius.p2p.kcp.internal.host;

import gladius.p2p.kcp.internal.core.KcpSettings;
import gladius.p2p.kcp.internal.core.PeerTable;
import gladius.p2p.kcp.internal.dispatch.PluginDispatcher;
import gladius.p2p.kcp.internal.observe.Counters;
import java.net.InetSocketAddress;
import java.time.InstantSource;
import java.util.concurrent.Executor;
import java.util.random.RandomGenerator;

/**
 * Where a {@code KcpNetwork} runs: the threads and the clock it is given, and how it binds. On
 * sockets ({@link SharedResources}) a network binds a UDP socket on a shared event loop, its
 * plugins run on a shared executor, its time is the system's; in a simulation
 * ({@code VirtualNetworks}) everything runs on one thread in virtual time.
 */
public interface Hosting {

    /** Where plugin callbacks run, one drain at a time per network. */
    Executor pluginExecutor();

    /** Where plugins' scheduled tasks wait. */
    PluginDispatcher.Timer pluginTimer();

    /** Binds the core at this address and starts it; blocks (on sockets) until bound. */
    Host bind(InetSocketAddress address, KcpSettings settings, Counters counters, PluginDispatcher dispatcher,
              PeerTable peers);

    /** The network's clock ({@link gladius.p2p.Network#clock()}). */
    InstantSource clock();

    /** The network's chance ({@link gladius.p2p.Network#random()}), for the calling thread. */
    RandomGenerator random();

    /**
     * How a caller waits for the plugin work its call started (a plugin's startup on listen and
     * register, its close on remove, every close on close): blocking on sockets; in a simulation,
     * running what is due at this virtual instant, since the plugins run on the caller's thread.
     */
    PluginDispatcher.Waiter waiter();

    /** The network is closed: give back what it held. */
    void release();
}
