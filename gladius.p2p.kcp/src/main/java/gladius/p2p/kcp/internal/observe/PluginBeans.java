package gladius.p2p.kcp.internal.observe;

import gladius.p2p.NodeAddress;
import gladius.p2p.Plugin;
import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.JMX;
import javax.management.ObjectName;
import javax.management.StandardMBean;

/**
 * The plugins of one listening network that show themselves over JMX (kcp.jmx): a plugin whose
 * class implements a public MXBean interface (its name ends in {@code MXBean}) is registered
 * through that interface as {@code gladius.p2p:type=Plugin,network="HOST:PORT",name=NAME}, NAME
 * being the interface's simple name without {@code MXBean}; it goes when the plugin is removed or
 * the network closes. Plugins need nothing from {@code java.management} for it. A registration
 * that fails is logged and skipped: JMX never stops a plugin.
 */
public final class PluginBeans {

    private static final System.Logger LOG = System.getLogger(PluginBeans.class.getName());

    private final NodeAddress network;
    private final Map<Plugin, ObjectName> registered = new ConcurrentHashMap<>();

    public PluginBeans(NodeAddress network) {
        this.network = network;
    }

    public void register(Plugin plugin) {
        Optional<Class<?>> face = mxbeanInterface(plugin.getClass());
        if (face.isEmpty()) {
            return;
        }
        String simple = face.get().getSimpleName();
        try {
            ObjectName name = new ObjectName("gladius.p2p:type=Plugin,network=" + ObjectName.quote(network.toString())
                    + ",name=" + simple.substring(0, simple.length() - "MXBean".length()));
            register(plugin, face.get(), name);
        } catch (JMException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "JMX: could not register plugin " + plugin.getClass().getName(), e);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private void register(Plugin plugin, Class<?> face, ObjectName name) throws JMException {
        ManagementFactory.getPlatformMBeanServer().registerMBean(new StandardMBean(plugin, (Class) face, true), name);
        registered.put(plugin, name);
    }

    public void unregister(Plugin plugin) {
        ObjectName name = registered.remove(plugin);
        if (name != null) {
            try {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(name);
            } catch (InstanceNotFoundException gone) {
                // someone unregistered it for us
            } catch (JMException e) {
                LOG.log(System.Logger.Level.WARNING, "JMX: could not unregister " + name, e);
            }
        }
    }

    public void unregisterAll() {
        registered.keySet().forEach(this::unregister);
    }

    /** The first public MXBean interface the class or its superclasses implement. */
    private static Optional<Class<?>> mxbeanInterface(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (Class<?> face : c.getInterfaces()) {
                if (JMX.isMXBeanInterface(face) && face.getSimpleName().endsWith("MXBean")) {
                    return Optional.of(face);
                }
            }
        }
        return Optional.empty();
    }
}
