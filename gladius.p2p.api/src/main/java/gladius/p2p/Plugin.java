package gladius.p2p;

/**
 * Every message the network receives is passed to every registered plugin. All methods have
 * defaults, so a plugin overrides only what it needs.
 *
 * <p>Callbacks never run on a network I/O thread. A network calls its plugins one at a time, in
 * registration order, so a plugin needs no locking for state that only its callbacks touch; its
 * timed work, given to {@link Network#schedule}, runs in that same order. (Methods a plugin offers
 * to other threads, such as a query interface, still need their own care.) A
 * plugin that throws is logged and counted ({@link NetworkState#pluginFailures()}); the other
 * plugins still get the event.
 */
public interface Plugin {

    /**
     * Called once when the plugin starts: at registration if the network is listening, else at
     * listen. The plugin keeps the network to call its API from any of the callbacks.
     *
     * @param network the network this plugin is registered with
     */
    default void startup(Network network) {}

    /**
     * A node entered the route table (an explicit add, or one made by a plugin).
     *
     * @param node the node
     */
    default void nodeAdded(NodeAddress node) {}

    /**
     * A node left the route table.
     *
     * @param node the node
     */
    default void nodeDeleted(NodeAddress node) {}

    /**
     * A message arrived. Messages from one sender arrive in the order that sender sent them.
     *
     * @param message the message; its body stays valid after the call returns
     */
    default void newMessage(Message message) {}

    /** The network is closing, or the plugin was removed ({@link Network#removePlugin}). Called once. */
    default void close() {}
}
