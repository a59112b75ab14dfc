package gladius.p2p;

/**
 * Every message the network receives is passed to every registered plugin. All methods have
 * defaults, so a plugin overrides only what it needs.
 *
 * <p>A plugin's callbacks run one at a time, so it needs no locking for state that only its
 * callbacks touch; its timed work, given to {@link Network#schedule}, runs serially with them.
 * (Methods a plugin offers to other threads, such as a query interface, still need their own care.)
 * Plugins that may block run off the network's I/O threads, called one at a time in registration
 * order; a plugin that declares it never blocks ({@link #nonBlocking()}) may be called on the
 * network's I/O thread instead, as a Netty handler is, which saves a thread handoff per message
 * received and another per message sent back from the callback. A plugin that throws is logged and counted
 * ({@link NetworkState#pluginFailures()}); the other plugins still get the event.
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

    /**
     * Whether this plugin promises that none of its callbacks and none of its
     * {@linkplain Network#schedule scheduled tasks} ever block or run long: no I/O, no sleeping,
     * no waiting on a lock, a future or another thread, no name lookups, no work of more than
     * tens of microseconds. The network reads it once, at {@link Network#registerPlugin}.
     *
     * <p>If true, the network may call the plugin on its I/O thread: still one callback at a
     * time, still in the order the events happened, but no longer in step with the plugins that
     * may block (an event may reach it before or after them). Its calls into the network behave as
     * from any callback: sends never block, {@link Network#registerPlugin} and
     * {@link Network#removePlugin} return without waiting, and {@link Network#close} returns at
     * once and finishes on another thread. A plugin that breaks the promise stalls every session
     * of the network, and of other networks sharing the thread, while it blocks.
     *
     * <p>Added to the first release's contract; false by default: callbacks run off the I/O threads.
     *
     * @return true if the network may call this plugin on its I/O thread
     */
    default boolean nonBlocking() {
        return false;
    }
}
