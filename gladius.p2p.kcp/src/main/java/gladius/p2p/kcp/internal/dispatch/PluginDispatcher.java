package gladius.p2p.kcp.internal.dispatch;

import gladius.p2p.Message;
import gladius.p2p.Network;
import gladius.p2p.NodeAddress;
import gladius.p2p.Plugin;
import gladius.p2p.kcp.internal.observe.FlightEvents;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jctools.queues.MessagePassingQueue;

/**
 * Calls a network's plugins in two lanes, each a lock-free queue that one task at a time drains:
 * the plugins that may block off the event loop, on an executor shared by every network in the JVM;
 * those that declared they never block ({@link Plugin#nonBlocking()}) on the network's I/O thread
 * once it listens ({@link #runOnLoop}), as Netty calls a handler. Within a lane callbacks are serial
 * and in order, messages from one sender stay in the order they arrived, and a hundred networks in
 * one process share a handful of threads; a plugin's every event goes through its own lane, so it
 * sees them in the order they happened.
 *
 * <p>Received messages are bounded in bytes: {@link #hasRoom()} turns false past the limit and
 * the transport stops reading until the plugins catch up (KCP's window then holds the sender
 * back), so a slow plugin slows its peers instead of losing or hoarding messages. When room comes
 * back it runs the {@link #onRoom(Runnable)} callback (the session layer's) on the draining thread.
 *
 * <p>An event reaches the plugins registered when it was queued: a plugin registered later does
 * not get it (its startup comes after), and a removed plugin ({@link #remove}) gets every event
 * queued before its removal, then its close, then nothing. Plugins' timed work ({@link #schedule})
 * waits on a timer thread and then goes into its owner's lane, so it runs serially with the callbacks.
 *
 * <p>Owns the plugin list, the lanes, the pending tasks and the byte count; touches nothing of the
 * transport but that one callback and the executors it is given.
 */
public final class PluginDispatcher {

    private static final System.Logger LOG = System.getLogger(PluginDispatcher.class.getName());
    private static final int BATCH = 256;

    private final Network network;
    private final long maxPendingBytes;
    /** Told when room comes back after {@link #hasRoom()} said no: the session layer, once listening. */
    private volatile Runnable onRoom = () -> { };
    /** Every registered plugin in registration order, replaced whole on each change (with the lanes' members). */
    private volatile Plugin[] plugins = new Plugin[0];
    /** Plugins that may block: on the shared plugin executor. */
    private final Lane pool;
    /** Plugins that never block: on the network's I/O thread once it listens, on the pool's executor before. */
    private final Lane loop;
    private final AtomicLong pendingBytes = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicBoolean roomWanted = new AtomicBoolean();
    /** True on a thread while it delivers some network's events: it must not wait for events. */
    private static final ThreadLocal<Boolean> DELIVERING = ThreadLocal.withInitial(() -> false);
    /** True on a thread while it delivers some network's events to non-blocking plugins: an I/O thread, which must not wait at all. */
    private static final ThreadLocal<Boolean> ON_LOOP = ThreadLocal.withInitial(() -> false);
    private final Timer timer;
    /** How a caller waits for what it started (Hosting#waiter). */
    private final Waiter waiter;
    private final Set<Task> tasks = ConcurrentHashMap.newKeySet();

    /**
     * One thing for the plugins of one lane to hear: for every plugin of {@code audience} (the
     * lane's members when it was queued), or {@code only} one (then skipped if it was removed
     * meanwhile, unless {@code removal}: its close); {@code done} is counted down once delivered.
     */
    private record Event(Consumer<Plugin> call, Plugin[] audience, Plugin only, int bytes, CountDownLatch done,
                         boolean closeAll, boolean removal) {
        static Event to(Plugin plugin, Consumer<Plugin> call, CountDownLatch done) {
            return new Event(call, null, plugin, 0, done, false, false);
        }
    }

    /** A queue of events, its members and the one task at a time that drains it on its executor. */
    private final class Lane {
        /** The non-blocking plugins' lane, whose drains run on an I/O thread once the network listens. */
        private final boolean io;
        private final MessagePassingQueue<Event> queue = Queues.unbounded(1024);
        private final AtomicBoolean scheduled = new AtomicBoolean();
        private volatile Executor executor;
        /** This lane's plugins, in registration order; replaced whole with {@link #plugins}. */
        volatile Plugin[] members = new Plugin[0];
        volatile Thread drainer;
        private boolean closed; // only the drainer touches it, and drains never overlap

        Lane(Executor executor, boolean io) {
            this.executor = executor;
            this.io = io;
        }

        /** Moves the lane's drains to another executor; a drain under way finishes where it runs. */
        void moveTo(Executor to) {
            executor = to;
            scheduleDrain();
        }

        void submit(Event event) {
            queue.offer(event);
            scheduleDrain();
        }

        private void scheduleDrain() {
            if (!queue.isEmpty() && scheduled.compareAndSet(false, true)) {
                try {
                    executor.execute(this::drain);
                } catch (RejectedExecutionException e) {
                    scheduled.set(false); // the executor is shutting down: nothing left to call
                }
            }
        }

        private void drain() {
            drainer = Thread.currentThread();
            DELIVERING.set(true);
            ON_LOOP.set(io);
            try {
                for (int i = 0; i < BATCH; i++) {
                    Event event = queue.poll();
                    if (event == null) {
                        break;
                    }
                    deliver(event);
                }
            } finally {
                DELIVERING.set(false);
                ON_LOOP.set(false);
                drainer = null;
                scheduled.set(false);
            }
            // Another batch if events came meanwhile; yielding between batches keeps networks fair.
            scheduleDrain();
        }

        private void deliver(Event event) {
            boolean skip = closed || (event.only != null && !event.removal && !registered(event.only));
            if (!skip) {
                Plugin[] to = event.only != null ? new Plugin[] {event.only} : event.audience;
                for (Plugin plugin : to) {
                    try {
                        event.call.accept(plugin);
                    } catch (VirtualMachineError fatal) {
                        throw fatal;
                    } catch (Throwable e) {
                        // A plugin's bug, an AssertionError included, must not cost the others the event, nor
                        // leave its bytes counted against kcp.dispatch-bytes or a close waiting.
                        failures.incrementAndGet();
                        LOG.log(System.Logger.Level.WARNING, "plugin " + plugin.getClass().getName() + " threw", e);
                        FlightEvents.pluginFailure(plugin.getClass().getName(), e);
                    }
                }
            }
            if (event.bytes > 0) {
                long left = pendingBytes.addAndGet(-event.bytes);
                if (left < maxPendingBytes / 2 && roomWanted.compareAndSet(true, false)) {
                    onRoom.run();
                }
            }
            if (event.closeAll) {
                closed = true; // nothing reaches a plugin after its close
            }
            if (event.done != null) {
                event.done.countDown();
            }
        }
    }

    /** A plugin's scheduled task: waits on the timer, then runs as an event for its owner. */
    private final class Task extends CompletableFuture<Void> {
        final Plugin owner;
        private volatile Future<?> waiting;

        Task(Plugin owner) {
            this.owner = owner;
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            Future<?> pending = waiting;
            if (pending != null) {
                pending.cancel(false);
            }
            tasks.remove(this);
            return cancelled;
        }
    }

    /** Where plugins' tasks wait until they are due: an event loop's timer, or a simulation's clock. */
    @FunctionalInterface
    public interface Timer {
        /** Runs the task after the delay (on any thread); cancelling the future keeps it from running. */
        Future<?> schedule(Runnable task, long delayNanos);
    }

    /**
     * How a caller waits until the plugins heard what a latch counts: on sockets it blocks while
     * the plugin threads work; in a simulation, where they are the caller's own thread, it runs
     * the work due at this virtual instant.
     */
    @FunctionalInterface
    public interface Waiter {
        /** True if the latch reached zero within the timeout. */
        boolean await(CountDownLatch done, long timeout, TimeUnit unit) throws InterruptedException;

        /** Blocking on the latch: for plugins on other threads. */
        Waiter BLOCKING = CountDownLatch::await;
    }

    public PluginDispatcher(Network network, Executor executor, Timer timer, long maxPendingBytes, Waiter waiter) {
        this.network = network;
        this.pool = new Lane(executor, false);
        this.loop = new Lane(executor, true);
        this.timer = timer;
        this.maxPendingBytes = maxPendingBytes;
        this.waiter = waiter;
    }

    /** True if the calling thread is delivering events to plugins (of any network): it must not wait for them. */
    static boolean delivering() {
        return DELIVERING.get();
    }

    /**
     * True if the calling thread is delivering some network's events to its non-blocking plugins,
     * on an I/O thread once listening: it must not block, not even to close a network (which may
     * share that thread).
     */
    public static boolean deliveringOnLoop() {
        return ON_LOOP.get();
    }

    /** Who to tell when room comes back (on the thread that made it); set before the first {@link #hasRoom()}. */
    public void onRoom(Runnable whenRoom) {
        this.onRoom = whenRoom;
    }

    /**
     * Where the non-blocking plugins run from now on: the network's I/O thread (tasks queued
     * behind what it is doing, never run inline). Set at listen, before any plugin starts.
     */
    public void runOnLoop(Executor ioThread) {
        loop.moveTo(ioThread);
    }

    public List<Plugin> plugins() {
        return List.of(plugins);
    }

    public long failures() {
        return failures.get();
    }

    /**
     * Registers a plugin; if started is true it starts now, and the latch counts down once it has.
     * Asks the plugin once whether it blocks, which decides its lane for good.
     *
     * @throws IllegalArgumentException if this very plugin is registered already (it would hear everything twice)
     */
    public synchronized CountDownLatch register(Plugin plugin, boolean started) {
        if (registered(plugin)) {
            throw new IllegalArgumentException("plugin " + plugin + " is registered with this network already");
        }
        Lane lane = plugin.nonBlocking() ? loop : pool;
        lane.members = appended(lane.members, plugin);
        plugins = appended(plugins, plugin);
        CountDownLatch done = new CountDownLatch(started ? 1 : 0);
        if (started) {
            lane.submit(Event.to(plugin, p -> p.startup(network), done));
        }
        return done;
    }

    private static Plugin[] appended(Plugin[] all, Plugin plugin) {
        Plugin[] more = Arrays.copyOf(all, all.length + 1);
        more[all.length] = plugin;
        return more;
    }

    /** Starts every plugin registered so far; the latch counts down once all have. */
    public CountDownLatch startAll() {
        Plugin[] all = plugins;
        CountDownLatch done = new CountDownLatch(all.length);
        for (Plugin plugin : all) {
            laneOf(plugin).submit(Event.to(plugin, p -> p.startup(network), done));
        }
        return done;
    }

    /** The lane a registered (or just removed) plugin's events go through. */
    private Lane laneOf(Plugin plugin) {
        return contains(loop.members, plugin) ? loop : pool;
    }

    /**
     * Removes a plugin (by identity): its scheduled tasks are cancelled and its close is queued
     * after the events already queued. Null if it was not registered, else the latch that counts
     * down once its close has run.
     */
    public synchronized CountDownLatch remove(Plugin plugin) {
        if (!contains(plugins, plugin)) {
            return null;
        }
        Lane lane = laneOf(plugin);
        lane.members = without(lane.members, plugin);
        plugins = without(plugins, plugin);
        for (Task task : tasks) {
            if (task.owner == plugin) {
                task.cancel(false);
            }
        }
        CountDownLatch done = new CountDownLatch(1);
        lane.submit(new Event(Plugin::close, null, plugin, 0, done, false, true));
        return done;
    }

    private static Plugin[] without(Plugin[] all, Plugin plugin) {
        int at = 0;
        while (all[at] != plugin) {
            at++;
        }
        Plugin[] fewer = new Plugin[all.length - 1];
        System.arraycopy(all, 0, fewer, 0, at);
        System.arraycopy(all, at + 1, fewer, at, all.length - at - 1);
        return fewer;
    }

    /** Runs the task for its registered owner after the delay, as an event of that plugin. */
    public Future<?> schedule(Plugin owner, long delayNanos, Runnable task) {
        if (!registered(owner)) {
            throw new IllegalArgumentException("owner " + owner + " is not a plugin registered with this network");
        }
        Lane lane = laneOf(owner);
        Task pending = new Task(owner);
        tasks.add(pending);
        Runnable due = () -> lane.submit(Event.to(owner, plugin -> {
            tasks.remove(pending);
            if (pending.isDone()) {
                return; // cancelled while it waited in the queue
            }
            try {
                task.run();
                pending.complete(null);
            } catch (Throwable e) {
                pending.completeExceptionally(e);
                throw e;
            }
        }, null));
        try {
            pending.waiting = timer.schedule(due, delayNanos);
        } catch (RejectedExecutionException e) {
            tasks.remove(pending);
            throw new IllegalStateException("the network is closing", e);
        }
        if (pending.isCancelled()) {
            pending.waiting.cancel(false); // cancelled before the timer was set
        }
        return pending;
    }

    public void nodeAdded(NodeAddress node) {
        toAll(p -> p.nodeAdded(node), 0);
    }

    public void nodeDeleted(NodeAddress node) {
        toAll(p -> p.nodeDeleted(node), 0);
    }

    /** Received from the network: to every plugin, counted against the byte limit until each lane has delivered it. */
    public void message(Message message) {
        toAll(p -> p.newMessage(message), message.body().remaining() + 64);
    }

    /** An event for the plugins registered now, in each lane that has some. */
    private void toAll(Consumer<Plugin> call, int bytes) {
        toMembers(pool, call, bytes);
        toMembers(loop, call, bytes);
    }

    private void toMembers(Lane lane, Consumer<Plugin> call, int bytes) {
        Plugin[] audience = lane.members;
        if (audience.length > 0) {
            pendingBytes.addAndGet(bytes);
            lane.submit(new Event(call, audience, null, bytes, null, false, false));
        }
    }

    private boolean registered(Plugin plugin) {
        return contains(plugins, plugin);
    }

    private static boolean contains(Plugin[] all, Plugin plugin) {
        for (Plugin one : all) {
            if (one == plugin) {
                return true;
            }
        }
        return false;
    }

    /** True while received messages waiting for the plugins stay under the byte limit. */
    public boolean hasRoom() {
        if (pendingBytes.get() < maxPendingBytes) {
            return true;
        }
        roomWanted.set(true);
        // Re-check: the drainer may have made room between the first read and the flag
        // (then a spurious onRoom follows, which is harmless).
        return pendingBytes.get() < maxPendingBytes;
    }

    /**
     * Closes every plugin after the events already queued, and waits for that (at most the
     * timeout) unless called from a plugin callback of this network, which cannot wait for
     * itself, or from any non-blocking plugin's, whose I/O thread may be the one to close them.
     * Returns the latch that counts down once both lanes have closed their plugins.
     */
    public CountDownLatch close(long timeout, TimeUnit unit) {
        for (Task task : tasks) {
            task.cancel(false);
        }
        CountDownLatch done = new CountDownLatch(2);
        pool.submit(new Event(Plugin::close, pool.members, null, 0, done, true, false));
        loop.submit(new Event(Plugin::close, loop.members, null, 0, done, true, false));
        // This network's loop lane drains with deliveringOnLoop() true, before listen too.
        if (Thread.currentThread() != pool.drainer && !deliveringOnLoop()) {
            awaitClosed(done, timeout, unit);
        }
        return done;
    }

    /** Waits (at most the timeout) for the latch {@link #close} returned; logs if the plugins took longer. */
    public void awaitClosed(CountDownLatch done, long timeout, TimeUnit unit) {
        try {
            if (!waiter.await(done, timeout, unit)) {
                LOG.log(System.Logger.Level.WARNING, "plugins did not close within " + timeout + " " + unit);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Waits until the plugins have heard what the latch counts, unless this thread delivers
     * plugins' events (a callback cannot wait for other callbacks: they run after it returns).
     * An interrupt ends the wait early and stays set, for the caller to see.
     */
    public void awaitDelivered(CountDownLatch done) {
        if (done == null || delivering()) {
            return;
        }
        try {
            waiter.await(done, Long.MAX_VALUE, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
