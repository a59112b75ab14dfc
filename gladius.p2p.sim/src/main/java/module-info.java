/**
 * The Gladius simulator: whole networks of the kcp transport, plugins and all, on one virtual
 * clock over a simulated network (geography, loss, partitions, crashes), deterministic from a
 * seed. A test builds a {@link gladius.p2p.sim.Simulation}, asks it for networks as it would ask
 * {@link gladius.p2p.Network#create(java.util.Map)}, and runs virtual time; plugins found on the
 * module path run unchanged, on the simulation's clock ({@link gladius.p2p.Network#clock()}) and
 * chance ({@link gladius.p2p.Network#random()}).
 */
module gladius.p2p.sim {
    requires transitive gladius.p2p.api;
    requires gladius.p2p.kcp;

    uses gladius.p2p.spi.PluginProvider;

    exports gladius.p2p.sim;
}
