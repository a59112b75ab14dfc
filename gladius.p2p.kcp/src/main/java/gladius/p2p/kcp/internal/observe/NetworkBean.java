package gladius.p2p.kcp.internal.observe;

import gladius.p2p.Figure;
import gladius.p2p.NetworkState;
import gladius.p2p.NodeAddress;
import gladius.p2p.kcp.jmx.NetworkMXBean;
import gladius.p2p.kcp.jmx.PeerFigures;
import java.lang.management.ManagementFactory;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.AttributeNotFoundException;
import javax.management.DynamicMBean;
import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanException;
import javax.management.MBeanInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.ReflectionException;
import javax.management.StandardMBean;
import javax.management.openmbean.OpenMBeanAttributeInfoSupport;
import javax.management.openmbean.SimpleType;

/**
 * A listening network's bean on the platform MBean server: registered by {@link #register}, gone
 * after {@link #unregister}. Its attributes are {@link NetworkMXBean}'s (so
 * {@code JMX.newMXBeanProxy} works) and every figure {@code NetworkState.figures()} describes, with
 * its help as the description: a figure added there shows here with no change to this class (as
 * a long, until NetworkMXBean gets its getter). A name already taken (two networks of one
 * process on the same address cannot both listen, but an earlier one may not have closed) is
 * logged and skipped: JMX is for looking, never a reason for a network not to start.
 */
public final class NetworkBean implements DynamicMBean {

    private static final System.Logger LOG = System.getLogger(NetworkBean.class.getName());
    private static final Map<String, Figure> FIGURES = figuresByAttribute();

    private final Supplier<NetworkState> state;
    /** NetworkMXBean over this bean's answers: its attributes with the open types a proxy expects. */
    private final StandardMBean shape;
    /** The attributes NetworkMXBean declares. */
    private final Set<String> declared;
    private final MBeanInfo info;
    private ObjectName name;

    private NetworkBean(Supplier<NetworkState> state) {
        this.state = state;
        InvocationHandler answers = (proxy, method, args) -> switch (method.getName()) {
            case "toString" -> "NetworkMXBean view of " + this;
            case "hashCode" -> System.identityHashCode(proxy);
            case "equals" -> proxy == args[0];
            default -> answer(method);
        };
        NetworkMXBean view = (NetworkMXBean) Proxy.newProxyInstance(NetworkMXBean.class.getClassLoader(),
                new Class<?>[] {NetworkMXBean.class}, answers);
        this.shape = new StandardMBean(view, NetworkMXBean.class, true);
        Set<String> names = new HashSet<>();
        for (MBeanAttributeInfo attribute : shape.getMBeanInfo().getAttributes()) {
            names.add(attribute.getName());
        }
        this.declared = Set.copyOf(names);
        this.info = merge(shape.getMBeanInfo());
    }

    /** The name a network on this address has: {@code gladius.p2p:type=Network,address="HOST:PORT"}. */
    static ObjectName nameFor(NodeAddress address) {
        try {
            return new ObjectName("gladius.p2p:type=Network,address=" + ObjectName.quote(address.toString()));
        } catch (JMException impossible) {
            throw new IllegalStateException("a quoted address is always a valid name: " + address, impossible);
        }
    }

    /** Registers a bean for the network at this address; null if the name was taken. */
    public static NetworkBean register(NodeAddress address, Supplier<NetworkState> state) {
        NetworkBean bean = new NetworkBean(state);
        ObjectName name = nameFor(address);
        try {
            ManagementFactory.getPlatformMBeanServer().registerMBean(bean, name);
            bean.name = name;
            return bean;
        } catch (InstanceAlreadyExistsException e) {
            LOG.log(System.Logger.Level.WARNING, "JMX: {0} is taken; this network is not registered", name);
            return null;
        } catch (JMException e) {
            LOG.log(System.Logger.Level.WARNING, "JMX: could not register " + name, e);
            return null;
        }
    }

    public void unregister() {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try {
            server.unregisterMBean(name);
        } catch (InstanceNotFoundException gone) {
            // someone unregistered it for us
        } catch (JMException e) {
            LOG.log(System.Logger.Level.WARNING, "JMX: could not unregister " + name, e);
        }
    }

    @Override
    public Object getAttribute(String attribute) throws AttributeNotFoundException, MBeanException, ReflectionException {
        Figure figure = FIGURES.get(attribute);
        if (figure != null && !declared.contains(attribute)) {
            return figure.of(state.get()); // a figure NetworkMXBean does not list (yet): a long
        }
        return shape.getAttribute(attribute);
    }

    @Override
    public AttributeList getAttributes(String[] attributes) {
        AttributeList values = new AttributeList();
        for (String attribute : attributes) {
            try {
                values.add(new Attribute(attribute, getAttribute(attribute)));
            } catch (JMException | RuntimeException e) {
                // The JMX contract for a bulk read: an attribute that cannot be read is left out.
            }
        }
        return values;
    }

    @Override
    public void setAttribute(Attribute attribute) throws AttributeNotFoundException {
        throw new AttributeNotFoundException(attribute.getName() + " is read-only: the bean only shows the network");
    }

    @Override
    public AttributeList setAttributes(AttributeList attributes) {
        return new AttributeList(); // none is writable
    }

    @Override
    public Object invoke(String actionName, Object[] params, String[] signature) throws ReflectionException {
        throw new ReflectionException(new NoSuchMethodException(actionName), "the network's bean has no operations");
    }

    @Override
    public MBeanInfo getMBeanInfo() {
        return info;
    }

    /**
     * NetworkMXBean's getters: the four that are not figures read here, every other is the figure
     * of its name, as the getter's type.
     */
    private Object answer(Method method) {
        NetworkState now = state.get();
        switch (method.getName()) {
            case "getLocalAddress":
                return now.localAddress().toString();
            case "getObservedAddresses":
                return now.observedAddresses().stream().map(NodeAddress::toString).toArray(String[]::new);
            case "getIo":
                return now instanceof Snapshots.Network network ? network.io() : "";
            case "getPeers":
                return now.peers().stream().map(p -> new PeerFigures(p.address().toString(), p.inRouteTable(), p.connected(),
                        p.inbound(), p.relay().map(NodeAddress::toString).orElse(""), p.smoothedRtt().toNanos() / 1e6,
                        p.messagesSent(), p.messagesReceived(), p.retransmissions(), p.queuedMessages())).toArray(PeerFigures[]::new);
            default:
                Figure figure = FIGURES.get(method.getName().substring("get".length()));
                if (figure == null) {
                    throw new UnsupportedOperationException(method.getName() + " is neither a figure of NetworkState nor one of its own");
                }
                long value = figure.of(now);
                return method.getReturnType() == int.class ? (Object) Math.toIntExact(value) : (Object) value;
        }
    }

    /** NetworkState's figures by their JMX names, capitalized ({@code messagesSent}: {@code MessagesSent}). */
    private static Map<String, Figure> figuresByAttribute() {
        Map<String, Figure> byName = new LinkedHashMap<>();
        for (Figure figure : NetworkState.figures()) {
            byName.put(Character.toUpperCase(figure.name().charAt(0)) + figure.name().substring(1), figure);
        }
        return Collections.unmodifiableMap(byName);
    }

    /** The shape's attributes, a figure's help as its description, then the figures the shape lacks. */
    private static MBeanInfo merge(MBeanInfo shape) {
        List<MBeanAttributeInfo> attributes = new ArrayList<>();
        for (MBeanAttributeInfo attribute : shape.getAttributes()) {
            Figure figure = FIGURES.get(attribute.getName());
            attributes.add(figure == null ? attribute : new MBeanAttributeInfo(attribute.getName(), attribute.getType(),
                    figure.help(), true, false, false, attribute.getDescriptor()));
        }
        for (Map.Entry<String, Figure> figure : FIGURES.entrySet()) {
            if (attributes.stream().noneMatch(a -> a.getName().equals(figure.getKey()))) {
                attributes.add(new OpenMBeanAttributeInfoSupport(figure.getKey(), figure.getValue().help(), SimpleType.LONG,
                        true, false, false));
            }
        }
        return new MBeanInfo(NetworkBean.class.getName(), "One kcp network's figures (docs/OBSERVABILITY.md).",
                attributes.toArray(MBeanAttributeInfo[]::new), shape.getConstructors(), shape.getOperations(),
                shape.getNotifications(), shape.getDescriptor());
    }
}
