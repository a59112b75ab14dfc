package gladius.p2p.sim;

import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Where simulated nodes are and how long a datagram takes between two of them: each node is
 * placed on a continent at random (weighted by where internet users are), and a datagram's
 * one-way delay is the sender's access delay, the path over the great circle between the two
 * places, the receiver's access delay, and a little jitter.
 *
 * <ul>
 *   <li><b>Places.</b> A continent is drawn with the weights of {@link #EARTH} (roughly each
 *       one's share of the world's internet users, ITU 2023), then a point within ten degrees of
 *       its centre, uniformly in latitude and longitude.
 *   <li><b>Path.</b> Great-circle distance (haversine, Earth radius 6,371 km) times 1.5 (routes
 *       are longer than the great circle), at 200 km per millisecond (light in fibre). 1,000 km
 *       within Europe: 7.5 ms one way; Frankfurt to Singapore, about 10,000 km: 77 ms.
 *   <li><b>Access.</b> Each node's own last mile, drawn once per node, uniformly between
 *       {@code accessMinMillis} and {@code accessMaxMillis} (by default 2 to 20 ms one way:
 *       fibre to DSL and mobile), on both ends of every datagram.
 *   <li><b>Jitter.</b> Each datagram waits a further exponentially distributed time, mean
 *       {@code jitterMeanMillis} (1 ms by default), so datagrams of one flow sometimes overtake
 *       each other, as on real paths with several queues.
 * </ul>
 *
 * <p>So two nodes in one European city see a round trip of 8 to 80 ms; Europe to East Asia
 * 170 to 250 ms. {@link #flat(long)} is a network with one delay everywhere, for tests that want
 * nothing but the protocol.
 *
 * @param continents where nodes may be placed, with their weights
 * @param accessMinMillis the shortest last mile, one way
 * @param accessMaxMillis the longest last mile, one way
 * @param jitterMeanMillis the mean of each datagram's extra wait
 */
public record Geography(List<Continent> continents, double accessMinMillis, double accessMaxMillis,
                        double jitterMeanMillis) {

    /** A continent: its name, its centre, and its weight among the others. */
    public record Continent(String name, double latitude, double longitude, double weight) {
        public Continent {
            Objects.requireNonNull(name, "name");
            if (!(weight > 0)) {
                throw new IllegalArgumentException("weight of " + name + " must be positive: " + weight);
            }
        }
    }

    /**
     * Where a node is: a point on a continent and its last mile.
     *
     * @param continent the continent's name ("" on a flat network)
     * @param latitude degrees
     * @param longitude degrees
     * @param accessMillis its last mile, one way
     */
    public record Place(String continent, double latitude, double longitude, double accessMillis) {}

    /** The world's continents, weighted roughly by internet users (ITU, 2023). */
    public static final Geography EARTH = new Geography(List.of(
            new Continent("Asia", 30, 105, 0.53),
            new Continent("Europe", 50, 10, 0.13),
            new Continent("Africa", 5, 20, 0.11),
            new Continent("South America", -15, -58, 0.08),
            new Continent("North America", 40, -95, 0.07),
            new Continent("Central America", 17, -92, 0.04),
            new Continent("Middle East", 28, 45, 0.03),
            new Continent("Oceania", -27, 140, 0.01)), 2, 20, 1);

    private static final double EARTH_RADIUS_KM = 6_371;
    private static final double KM_PER_MILLI = 200;
    private static final double ROUTE_STRETCH = 1.5;
    private static final double SPREAD_DEGREES = 10;

    public Geography {
        continents = List.copyOf(continents);
        if (continents.isEmpty()) {
            throw new IllegalArgumentException("continents must not be empty");
        }
        if (accessMinMillis < 0 || accessMaxMillis < accessMinMillis) {
            throw new IllegalArgumentException("access delay must be 0 <= min <= max, not " + accessMinMillis + ".." + accessMaxMillis);
        }
        if (jitterMeanMillis < 0) {
            throw new IllegalArgumentException("jitterMeanMillis must be zero or more: " + jitterMeanMillis);
        }
    }

    /** One place for everyone and a fixed one-way delay between any two nodes: no geography, no jitter. */
    public static Geography flat(long oneWayMillis) {
        if (oneWayMillis < 0) {
            throw new IllegalArgumentException("oneWayMillis must be zero or more: " + oneWayMillis);
        }
        return new Geography(List.of(new Continent("", 0, 0, 1)), oneWayMillis / 2.0, oneWayMillis / 2.0, 0);
    }

    /** This geography with another spread of last miles. */
    public Geography withAccess(double minMillis, double maxMillis) {
        return new Geography(continents, minMillis, maxMillis, jitterMeanMillis);
    }

    /** This geography with another mean jitter (zero: none). */
    public Geography withJitter(double meanMillis) {
        return new Geography(continents, accessMinMillis, accessMaxMillis, meanMillis);
    }

    /** Draws a place for a new node. */
    public Place place(RandomGenerator random) {
        double total = 0;
        for (Continent continent : continents) {
            total += continent.weight();
        }
        double pick = random.nextDouble() * total;
        Continent chosen = continents.get(continents.size() - 1);
        for (Continent continent : continents) {
            pick -= continent.weight();
            if (pick < 0) {
                chosen = continent;
                break;
            }
        }
        boolean spread = continents.size() > 1 || !chosen.name().isEmpty();
        double latitude = chosen.latitude() + (spread ? (random.nextDouble() * 2 - 1) * SPREAD_DEGREES : 0);
        double longitude = chosen.longitude() + (spread ? (random.nextDouble() * 2 - 1) * SPREAD_DEGREES : 0);
        double access = accessMinMillis + random.nextDouble() * (accessMaxMillis - accessMinMillis);
        return new Place(chosen.name(), latitude, longitude, access);
    }

    /** The one-way delay of one datagram, jitter included, in milliseconds. */
    public double oneWayMillis(Place from, Place to, RandomGenerator random) {
        double jitter = jitterMeanMillis > 0 ? -jitterMeanMillis * Math.log(1 - random.nextDouble()) : 0;
        return from.accessMillis() + pathMillis(from, to) + to.accessMillis() + jitter;
    }

    /** The path between two places, without access or jitter, one way. */
    public static double pathMillis(Place from, Place to) {
        double lat1 = Math.toRadians(from.latitude());
        double lat2 = Math.toRadians(to.latitude());
        double dLat = lat2 - lat1;
        double dLon = Math.toRadians(to.longitude() - from.longitude());
        double h = Math.sin(dLat / 2) * Math.sin(dLat / 2) + Math.cos(lat1) * Math.cos(lat2) * Math.sin(dLon / 2) * Math.sin(dLon / 2);
        double km = 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
        return km * ROUTE_STRETCH / KM_PER_MILLI;
    }
}
